package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompositorTest {
    private static final int W = 12;
    private static final int H = 10;
    private static final int KNOWN = 0x646464;
    private static final int HOLE_PAINT = 0xffffff;

    /** A hole of columns 2..9 on every row, painted white in a grey image; the fill is a horizontal ramp. */
    private static int[] paste(Region region, int fillW, int fillH) {
        return paste(region, fillW, fillH, null, null);
    }

    private static int[] paste(Region region, int fillW, int fillH, TileFill deep, float[] weights) {
        BufferedImage mask = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        int[] result = new int[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                boolean hole = x >= 2 && x < 10;
                mask.getRaster().setSample(x, y, 0, hole ? 255 : 0);
                result[y * W + x] = hole ? HOLE_PAINT : KNOWN;
            }
        }
        float[] rgb = new float[3 * fillW * fillH];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = 10f * (i % fillW);
        }
        TileFill fill = new TileFill(fillW, fillH, rgb, null);
        BufferedImage picture = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        picture.setRGB(0, 0, W, H, result, 0, W);
        Compositor.paste(((DataBufferByte) picture.getRaster().getDataBuffer()).getData(), W,
                HoleMask.threshold(mask, MaskMode.AUTO, 127), region, fill, deep, weights);
        for (int i = 0; i < result.length; i++) {
            result[i] = picture.getRGB(i % W, i / W) & 0xffffff;
        }
        return result;
    }

    private static int grey(int v) {
        return v << 16 | v << 8 | v;
    }

    @Test
    void aScaledFillIsUpsampledIntoExactlyTheHoleWithNothingOfItsOriginal() {
        // a 6x5 ramp 0, 10, .. 50 upscaled x2: pixel x samples the fill at x / 2 - 0.25
        int[] result = paste(new Region(0, 0, W, H, 6, 5), 6, 5);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int expected = x >= 2 && x < 10 ? grey(Math.round(10f * (x / 2f - 0.25f))) : KNOWN;
                assertEquals(expected, result[y * W + x], "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void aFullResolutionFillIsPastedAsItIs() {
        int[] result = paste(new Region(0, 0, W, H, W, H), W, H);
        for (int x = 0; x < W; x++) {
            assertEquals(x >= 2 && x < 10 ? grey(10 * x) : KNOWN, result[4 * W + x], "pixel " + x);
        }
    }

    @Test
    void aSecondFillIsBlendedInByItsWeightAtEachPixel() {
        // the second pass: a flat 200 at half the size; its share 0 left of column 4, half to column 8, whole after
        float[] flat = new float[3 * 6 * 5];
        Arrays.fill(flat, 200f);
        float[] weights = new float[W * H];
        for (int i = 0; i < weights.length; i++) {
            int x = i % W;
            weights[i] = x < 4 ? 0f : x < 8 ? 0.5f : 1f;
        }
        int[] result = paste(new Region(0, 0, W, H, W, H), W, H, new TileFill(6, 5, flat, null), weights);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int expected = x < 2 || x >= 10 ? KNOWN
                        : grey(x < 4 ? 10 * x : x < 8 ? Math.round((10 * x + 200) / 2f) : 200);
                assertEquals(expected, result[y * W + x], "pixel " + x + "," + y);
            }
        }
    }
}
