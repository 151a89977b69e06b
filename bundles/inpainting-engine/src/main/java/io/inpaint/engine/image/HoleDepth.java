package io.inpaint.engine.image;

import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;

/**
 * How deep a tile's holes are, and the second pass for holes deeper than the network learnt to fill. It trained on
 * 256-px crops whose holes were at most {@value #TRAINED_DEPTH} px deep (a 128-px box, {@code
 * models/train/config.toml}); a photo's hole, scaled only to the maximum side, can be deeper, and its fill gets worse
 * the deeper a pixel lies. A crop with such a hole is run a second time, scaled down until its holes are
 * {@value #TARGET_DEPTH} px deep, and that fill is blended in by each pixel's depth: the rim, thin strokes and small
 * holes keep the full-scale fill, whose detail is finer, and the middle takes the smaller pass's (README, <i>Hole
 * depth and scale</i>, has the measurements).
 */
public final class HoleDepth {
    /** Half the largest training box: the deepest hole the network saw. */
    public static final int TRAINED_DEPTH = 64;
    /** How deep the second pass's holes are: below the trained depth, where the network fills best. */
    static final int TARGET_DEPTH = 48;
    /** From the rim to this depth (in the full-scale tile's pixels) the second pass's share rises from 0 to 1. */
    static final int BLEND_DEPTH = 32;

    private HoleDepth() {
    }

    /**
     * The crop run a second time: the same region at a smaller network size, its tile, and how much of its fill each
     * pixel of the full-scale tile takes.
     */
    public record DeepPass(Region region, NetworkTile tile, float[] weights) {
    }

    /**
     * The second pass a tile needs, or null when its holes are no deeper than the network learnt to fill.
     *
     * @param tile the region as {@link NetworkTile#sample} gave it at its full network scale
     */
    public static DeepPass plan(BufferedImage image, HoleMask holes, Region region, NetworkTile tile) {
        int w = tile.width();
        int h = tile.height();
        int[] depth = depths(tile.mask(), w, h);
        int deepest = 0;
        for (int d : depth) {
            deepest = Math.max(deepest, d);
        }
        if (deepest <= TRAINED_DEPTH) {
            return null;
        }
        double f = (double) TARGET_DEPTH / deepest;
        Region smaller = region.scaledTo(Math.max(1, (int) Math.round(region.netWidth() * f)),
                Math.max(1, (int) Math.round(region.netHeight() * f)));
        float[] weights = new float[depth.length];
        for (int i = 0; i < depth.length; i++) {
            weights[i] = Math.min(1f, (float) depth[i] / BLEND_DEPTH);
        }
        return new DeepPass(smaller, NetworkTile.sample(image, holes, smaller), weights);
    }

    /**
     * The chessboard distance of each pixel to the nearest known one (0 on known pixels), by two passes over the
     * rows. Beyond the tile's edge counts as hole: the network sees nothing there.
     */
    static int[] depths(byte[] mask, int w, int h) {
        int far = w + h;
        int[] d = new int[w * h];
        for (int i = 0; i < d.length; i++) {
            d[i] = mask[i] != 0 ? far : 0;
        }
        for (int pass = 0; pass < 2; pass++) {
            // forward, then backward: each pixel takes the neighbours the pass has already settled, plus one
            int dir = pass == 0 ? 1 : -1;
            for (int y = pass == 0 ? 0 : h - 1; y >= 0 && y < h; y += dir) {
                for (int x = pass == 0 ? 0 : w - 1; x >= 0 && x < w; x += dir) {
                    int i = y * w + x;
                    if (d[i] == 0) {
                        continue;
                    }
                    int best = d[i];
                    int px = x - dir;
                    if (px >= 0 && px < w) {
                        best = Math.min(best, d[i - dir] + 1);
                    }
                    int py = y - dir;
                    if (py >= 0 && py < h) {
                        for (int nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
                            best = Math.min(best, d[py * w + nx] + 1);
                        }
                    }
                    d[i] = best;
                }
            }
        }
        return d;
    }
}
