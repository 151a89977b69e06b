package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class SeamMatchTest {
    private static final int W = 20;
    private static final int H = 16;

    /** A grey ramp with a hole of columns 6..13, rows 4..11 (painted white, which the match must never read). */
    private static NetworkTile tile(int x0, int x1, int y0, int y1) {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean hole = x >= x0 && x < x1 && y >= y0 && y < y1;
                int v = 40 + 5 * x;
                image.setRGB(x, y, hole ? 0xffffff : v << 16 | v << 8 | v);
                mask.getRaster().setSample(x, y, 0, hole ? 255 : 0);
            }
        }
        return NetworkTile.sample(image, HoleMask.threshold(mask, MaskMode.AUTO, 127), new Region(0, 0, W, H, W, H));
    }

    /** The picture's ramp with a checker detail in the hole, everything {@code error} too dark, as a network draws. */
    private static TileFill drawn(NetworkTile tile, float error) {
        float[] rgb = new float[3 * W * H];
        for (int i = 0; i < rgb.length; i++) {
            int p = i % (W * H);
            int x = p % W;
            int y = p / W;
            int detail = tile.mask()[p] == 0 ? 0 : (x + y) % 2 == 0 ? 3 : -3;
            rgb[i] = 40 + 5 * x + detail - error;
        }
        return new TileFill(W, H, rgb, null);
    }

    @Test
    void aConstantColourErrorIsRemovedAndTheFillKeepsItsDetail() {
        NetworkTile tile = tile(6, 14, 4, 12);
        TileFill matched = SeamMatch.match(tile, drawn(tile, 30));
        float[] expected = drawn(tile, 0).rgb();
        for (int i = 0; i < expected.length; i++) {
            int p = i % (W * H);
            float want = tile.mask()[p] != 0 ? expected[i] : tile.rgb()[i];
            assertEquals(want, matched.rgb()[i], 0.05f, "value " + i);
        }
    }

    @Test
    void withNoKnownPixelNextToTheHoleTheFillStaysAsDrawn() {
        NetworkTile allHole = tile(0, W, 0, H);
        TileFill fill = drawn(allHole, 30);
        assertSame(fill, SeamMatch.match(allHole, fill));
    }

    @Test
    void eachChannelIsRelaxedAsIfAlone() {
        // a larger hole (coarse start, many sweeps) whose channels need different numbers of sweeps
        NetworkTile tile = tile(2, 18, 1, 15);
        TileFill mixed = drawn(tile, 0);
        float[] rgb = mixed.rgb().clone();
        int plane = W * H;
        for (int p = 0; p < plane; p++) {
            rgb[p] -= 0.3f * (p % W); // red off by a smooth ramp: few sweeps
            rgb[2 * plane + p] += 9 * ((p * 7) % 11); // blue off by noise: many more; green exact
        }
        float[] matched = SeamMatch.match(tile, new TileFill(W, H, rgb, null)).rgb();
        for (int c = 0; c < 3; c++) {
            // the same channel, with the other two replaced by the picture's own values (nothing to relax there)
            float[] alone = drawn(tile, 0).rgb().clone();
            System.arraycopy(rgb, c * plane, alone, c * plane, plane);
            float[] single = SeamMatch.match(tile, new TileFill(W, H, alone, null)).rgb();
            for (int p = 0; p < plane; p++) {
                assertEquals(single[c * plane + p], matched[c * plane + p], 0f, "channel " + c + ", pixel " + p);
            }
        }
    }
}
