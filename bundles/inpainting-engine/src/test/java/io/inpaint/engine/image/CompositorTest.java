package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.inpaint.engine.InpaintOptions.MaskMode;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompositorTest {
    private static final int W = 12;
    private static final int H = 10;

    /** A hole of columns 2..9 on every row, in a grey image; the fill is uniformly 200. */
    private static int[] paste(int feather, Region region, int fillW, int fillH) {
        BufferedImage mask = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 2; x < 10; x++) {
                mask.getRaster().setSample(x, y, 0, 255);
            }
        }
        int[] result = new int[W * H];
        Arrays.fill(result, 0x646464);
        float[] rgb = new float[3 * fillW * fillH];
        Arrays.fill(rgb, 200f);
        TileFill fill = new TileFill(fillW, fillH, rgb, null);
        Compositor.paste(result, W, HoleMask.threshold(mask, MaskMode.AUTO, 127), region, fill, feather);
        return result;
    }

    @Test
    void aScaledFillIsFeatheredInsideTheHoleAndKnownPixelsStay() {
        // a 6x5 fill of uniform 200 upscaled to the 12x10 region
        int[] result = paste(3, new Region(0, 0, W, H, 6, 5), 6, 5);
        // distance to the known columns 1 and 10: 1, 2, 3, 4, 4, 3, 2, 1 -> weights d / 4
        int[] expected = {100, 100, 125, 150, 175, 200, 200, 175, 150, 125, 100, 100};
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int v = expected[x];
                assertEquals(v << 16 | v << 8 | v, result[y * W + x], "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void aFullResolutionFillIsPastedWithoutFeathering() {
        int[] result = paste(3, new Region(0, 0, W, H, W, H), W, H);
        for (int x = 0; x < W; x++) {
            int v = x >= 2 && x < 10 ? 200 : 100;
            assertEquals(v << 16 | v << 8 | v, result[4 * W + x], "pixel " + x);
        }
    }

    @Test
    void withoutFeatherTheHoleIsTheFillAndTheScaledFillIsUpsampled() {
        int[] result = paste(0, new Region(0, 0, W, H, 3, 2), 3, 2);
        for (int x = 0; x < W; x++) {
            int v = x >= 2 && x < 10 ? 200 : 100;
            assertEquals(v << 16 | v << 8 | v, result[4 * W + x], "pixel " + x);
        }
    }
}
