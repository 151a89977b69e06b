package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MaskKindTest {
    private static final int SIDE = MaskKind.SIDE;

    /** {left, top, right, bottom} (exclusive) of the hole, and its pixel count. */
    private static int[] bounds(boolean[] hole) {
        int[] b = {SIDE, SIDE, 0, 0, 0};
        for (int i = 0; i < hole.length; i++) {
            if (hole[i]) {
                int x = i % SIDE;
                int y = i / SIDE;
                b[0] = Math.min(b[0], x);
                b[1] = Math.min(b[1], y);
                b[2] = Math.max(b[2], x + 1);
                b[3] = Math.max(b[3], y + 1);
                b[4]++;
            }
        }
        return b;
    }

    @Test
    void centerIsThePapersCentredSquareWhateverTheSeed() {
        assertArrayEquals(new int[] {64, 64, 192, 192, 128 * 128}, bounds(MaskKind.CENTER.hole(1, 0)));
        assertArrayEquals(MaskKind.CENTER.hole(1, 0), MaskKind.CENTER.hole(99, 5));
    }

    @Test
    void boxesAreSolidRectanglesOfUpTo128PulledInByAtMost16PerSide() {
        for (int i = 0; i < 50; i++) {
            int[] b = bounds(MaskKind.BOXES.hole(3, i));
            int w = b[2] - b[0];
            int h = b[3] - b[1];
            assertEquals(w * h, b[4], "not a solid rectangle");
            assertTrue(w >= 96 && w <= 128 && h >= 96 && h <= 128, w + "x" + h);
        }
    }

    @Test
    void strokesAreMoreThanTheirBox() {
        for (int i = 0; i < 20; i++) {
            int[] b = bounds(MaskKind.STROKES.hole(3, i));
            assertTrue(b[4] > 96 * 96, "the box is missing");
            assertTrue(b[4] < (b[2] - b[0]) * (b[3] - b[1]), "no stroke leaves the box");
        }
    }

    @Test
    void blobsCoverAFewPercentOfThePicture() {
        for (int i = 0; i < 20; i++) {
            double share = (double) bounds(MaskKind.BLOBS.hole(5, i))[4] / (SIDE * SIDE);
            assertTrue(share > 0.01 && share < 0.4, "share " + share);
        }
    }

    @Test
    void atFullSizeEveryHoleScalesWithTheShortSide() {
        assertArrayEquals(MaskKind.STROKES.hole(3, 1), MaskKind.STROKES.hole(3, 1, SIDE, SIDE));
        // the short side is twice the crop's: a centred 256x256 square, columns 256..511
        boolean[] centre = MaskKind.CENTER.hole(1, 0, 768, 512);
        assertEquals(256 * 256, count(centre));
        assertTrue(centre[256 * 768 + 256] && !centre[256 * 768 + 255] && !centre[256 * 768 + 512]);
        for (MaskKind kind : MaskKind.values()) {
            double crop = (double) count(kind.hole(9, 4)) / (SIDE * SIDE);
            double full = (double) count(kind.hole(9, 4, 2 * SIDE, 2 * SIDE)) / (4 * SIDE * SIDE);
            assertEquals(crop, full, 0.02, kind + ": the same share of a picture twice the size");
        }
    }

    private static int count(boolean[] hole) {
        int n = 0;
        for (boolean h : hole) {
            n += h ? 1 : 0;
        }
        return n;
    }

    @Test
    void theSameSeedAndIndexGiveTheSameHoleAndOthersDoNot() {
        for (MaskKind kind : new MaskKind[] {MaskKind.BOXES, MaskKind.STROKES, MaskKind.BLOBS}) {
            assertArrayEquals(kind.hole(7, 2), kind.hole(7, 2));
            assertFalse(Arrays.equals(kind.hole(7, 2), kind.hole(8, 2)));
            assertFalse(Arrays.equals(kind.hole(7, 2), kind.hole(7, 3)));
        }
    }
}
