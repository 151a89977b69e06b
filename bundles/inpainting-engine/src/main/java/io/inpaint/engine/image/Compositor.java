package io.inpaint.engine.image;

import io.inpaint.engine.image.RegionPlanner.Area;
import io.inpaint.engine.image.RegionPlanner.Region;

/**
 * Pastes a tile's fill into the full-resolution result: exactly the hole pixels in its region's paste area are
 * written, with the fill upscaled bilinearly where the region was scaled down; known pixels keep their original
 * values, bit for bit. Nothing is blended with the hole's original pixels: they are what the mask removes (a
 * watermark, a passer-by, white paint), and any share of them would outline the fill. How far the hole reaches is
 * the mask's (and {@code dilate}'s) call.
 */
public final class Compositor {
    private Compositor() {
    }

    /**
     * @param result  the output picture's pixels as blue, green, red bytes ({@code TYPE_3BYTE_BGR}), row-major over
     *                the whole image, holding the original pixels on entry
     * @param deep    a second fill of the same region at a smaller scale ({@link HoleDepth}), or null
     * @param weights {@code deep}'s share at each pixel of {@code fill} (0..1, sampled bilinearly like the fill)
     */
    public static void paste(byte[] result, int imageWidth, HoleMask holes, Region region, TileFill fill,
            TileFill deep, float[] weights) {
        int cw = region.width();
        int ch = region.height();
        Upscale main = new Upscale(fill.width(), fill.height(), cw, ch);
        Upscale second = deep == null ? null : new Upscale(deep.width(), deep.height(), cw, ch);
        // the paste area lies inside the crop: only its rows and columns are visited
        Area paste = region.paste();
        int fromX = paste.x() - region.x();
        int fromY = paste.y() - region.y();
        for (int sy = fromY; sy < fromY + paste.height(); sy++) {
            int y = region.y() + sy;
            main.row(sy);
            if (second != null) {
                second.row(sy);
            }
            for (int sx = fromX; sx < fromX + paste.width(); sx++) {
                int x = region.x() + sx;
                if (!holes.isHole(x, y)) {
                    continue;
                }
                main.column(sx);
                float share = 0;
                if (second != null) {
                    second.column(sx);
                    share = main.sample(weights, 0);
                }
                int at = 3 * (y * imageWidth + x);
                for (int c = 0; c < 3; c++) {
                    float v = main.sample(fill.rgb(), c);
                    if (share > 0) {
                        v += share * (second.sample(deep.rgb(), c) - v);
                    }
                    int value = Math.round(v);
                    // channel c is red, green, blue; the bytes run blue, green, red
                    result[at + 2 - c] = (byte) Math.max(0, Math.min(255, value));
                }
            }
        }
    }

    /** Bilinear sampling of a tile-sized picture at a region pixel's centre; set the row, then the column. */
    private static final class Upscale {
        private final int tw;
        private final int th;
        private final double scaleX;
        private final double scaleY;
        private int y0;
        private int y1;
        private float fy;
        private int x0;
        private int x1;
        private float fx;

        Upscale(int tw, int th, int regionWidth, int regionHeight) {
            this.tw = tw;
            this.th = th;
            this.scaleX = (double) tw / regionWidth;
            this.scaleY = (double) th / regionHeight;
        }

        void row(int sy) {
            double v = clamp((sy + 0.5) * scaleY - 0.5, th - 1);
            y0 = (int) v;
            y1 = Math.min(y0 + 1, th - 1);
            fy = (float) (v - y0);
        }

        void column(int sx) {
            double u = clamp((sx + 0.5) * scaleX - 0.5, tw - 1);
            x0 = (int) u;
            x1 = Math.min(x0 + 1, tw - 1);
            fx = (float) (u - x0);
        }

        /** Plane {@code c} of planar data at the current pixel. */
        float sample(float[] planes, int c) {
            int base = c * tw * th;
            float top = planes[base + y0 * tw + x0] * (1 - fx) + planes[base + y0 * tw + x1] * fx;
            float bottom = planes[base + y1 * tw + x0] * (1 - fx) + planes[base + y1 * tw + x1] * fx;
            return top * (1 - fy) + bottom * fy;
        }
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }
}
