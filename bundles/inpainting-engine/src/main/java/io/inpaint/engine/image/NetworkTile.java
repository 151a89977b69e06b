package io.inpaint.engine.image;

import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * One region as the network sees it, before padding: planar RGB in [0, 255] and the hole mask (1 = hole), both at
 * the region's network size. Built straight from the image rows so a large image is never held as floats.
 */
public final class NetworkTile {
    private final int width;
    private final int height;
    private final float[] rgb;
    private final byte[] mask;

    private NetworkTile(int width, int height, float[] rgb, byte[] mask) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.mask = mask;
    }

    /**
     * Samples a region: pixels are area-averaged (exact copy when unscaled); a network pixel is hole when any image
     * pixel under it is, so strokes thinner than the scale factor survive the downscale.
     */
    public static NetworkTile sample(BufferedImage image, HoleMask holes, Region region) {
        int tw = region.netWidth();
        int th = region.netHeight();
        AxisWeights ax = new AxisWeights(region.width(), tw);
        AxisWeights ay = new AxisWeights(region.height(), th);
        int plane = tw * th;
        float[] rgb = new float[3 * plane];
        byte[] mask = new byte[plane];
        int[] row = new int[region.width()];
        float[] reduced = new float[3 * tw];
        byte[] reducedMask = new byte[tw];
        for (int sy = 0; sy < region.height(); sy++) {
            int y = region.y() + sy;
            Pixels.readRow(image, region.x(), y, region.width(), row);
            Arrays.fill(reduced, 0f);
            Arrays.fill(reducedMask, (byte) 0);
            for (int sx = 0; sx < region.width(); sx++) {
                int p = row[sx];
                byte hole = (byte) (holes.isHole(region.x() + sx, y) ? 1 : 0);
                for (int k = 0; k < 2; k++) {
                    float wx = ax.weight(sx, k);
                    if (wx == 0f) {
                        continue;
                    }
                    int t = ax.first(sx) + k;
                    reduced[t] += wx * (p >> 16 & 0xff);
                    reduced[tw + t] += wx * (p >> 8 & 0xff);
                    reduced[2 * tw + t] += wx * (p & 0xff);
                    reducedMask[t] |= hole;
                }
            }
            for (int k = 0; k < 2; k++) {
                float wy = ay.weight(sy, k);
                if (wy == 0f) {
                    continue;
                }
                int ty = ay.first(sy) + k;
                for (int c = 0; c < 3; c++) {
                    int base = c * plane + ty * tw;
                    for (int t = 0; t < tw; t++) {
                        rgb[base + t] += wy * reduced[c * tw + t];
                    }
                }
                for (int t = 0; t < tw; t++) {
                    mask[ty * tw + t] |= reducedMask[t];
                }
            }
        }
        return new NetworkTile(tw, th, rgb, mask);
    }

    /**
     * Area-average weights along one axis for a downscale from {@code source} to {@code target} pixels: each source
     * pixel overlaps at most two target pixels. Lengths are measured in units of 1/(source*target) so the overlaps
     * are exact integers.
     */
    private static final class AxisWeights {
        private final int[] first;
        private final float[][] weights;

        AxisWeights(int source, int target) {
            first = new int[source];
            weights = new float[source][2];
            for (int s = 0; s < source; s++) {
                long start = (long) s * target;
                long end = start + target;
                int t = (int) (start / source);
                long firstOverlap = Math.min(end, (long) (t + 1) * source) - start;
                first[s] = t;
                weights[s][0] = (float) firstOverlap / source;
                weights[s][1] = (float) (target - firstOverlap) / source;
            }
        }

        int first(int s) {
            return first[s];
        }

        float weight(int s, int k) {
            return weights[s][k];
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Planar RGB in [0, 255], channel c at offset {@code c * width * height}. */
    public float[] rgb() {
        return rgb;
    }

    /** 1 = hole, row-major. */
    public byte[] mask() {
        return mask;
    }
}
