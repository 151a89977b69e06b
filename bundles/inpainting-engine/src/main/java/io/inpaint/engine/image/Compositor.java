package io.inpaint.engine.image;

import io.inpaint.engine.image.RegionPlanner.Region;

/**
 * Pastes a tile's fill into the full-resolution result: exactly the hole pixels are written, with the fill upscaled
 * bilinearly where the region was scaled down; known pixels keep their original values, bit for bit. Nothing is
 * blended with the hole's original pixels: they are what the mask removes (a watermark, a passer-by, white paint),
 * and any share of them would outline the fill. How far the hole reaches is the mask's (and {@code dilate}'s) call.
 */
public final class Compositor {
    private Compositor() {
    }

    /**
     * @param result the output picture's pixels as blue, green, red bytes ({@code TYPE_3BYTE_BGR}), row-major over
     *               the whole image, holding the original pixels on entry
     */
    public static void paste(byte[] result, int imageWidth, HoleMask holes, Region region, TileFill fill) {
        int cw = region.width();
        int ch = region.height();
        int tw = fill.width();
        int th = fill.height();
        int plane = tw * th;
        float[] rgb = fill.rgb();
        double scaleX = (double) tw / cw;
        double scaleY = (double) th / ch;
        for (int sy = 0; sy < ch; sy++) {
            int y = region.y() + sy;
            double v = clamp((sy + 0.5) * scaleY - 0.5, th - 1);
            int y0 = (int) v;
            int y1 = Math.min(y0 + 1, th - 1);
            float fy = (float) (v - y0);
            for (int sx = 0; sx < cw; sx++) {
                int x = region.x() + sx;
                if (!holes.isHole(x, y)) {
                    continue;
                }
                double u = clamp((sx + 0.5) * scaleX - 0.5, tw - 1);
                int x0 = (int) u;
                int x1 = Math.min(x0 + 1, tw - 1);
                float fx = (float) (u - x0);
                int at = 3 * (y * imageWidth + x);
                for (int c = 0; c < 3; c++) {
                    int base = c * plane;
                    float top = rgb[base + y0 * tw + x0] * (1 - fx) + rgb[base + y0 * tw + x1] * fx;
                    float bottom = rgb[base + y1 * tw + x0] * (1 - fx) + rgb[base + y1 * tw + x1] * fx;
                    int value = Math.round(top * (1 - fy) + bottom * fy);
                    // channel c is red, green, blue; the bytes run blue, green, red
                    result[at + 2 - c] = (byte) Math.max(0, Math.min(255, value));
                }
            }
        }
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }
}
