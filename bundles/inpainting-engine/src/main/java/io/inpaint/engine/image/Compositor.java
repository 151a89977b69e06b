package io.inpaint.engine.image;

import io.inpaint.engine.image.RegionPlanner.Region;

/**
 * Pastes a tile's fill into the full-resolution result: only hole pixels are written (known pixels keep their
 * original int value, bit for bit). Where the region was scaled down, the fill is upscaled bilinearly and, within
 * {@code feather} pixels of the hole's edge, blended with the original so the softer upscaled fill does not end in a
 * hard seam. A fill at full resolution is pasted as it is: blending there would only bring back part of what the
 * mask removes.
 */
public final class Compositor {
    private Compositor() {
    }

    /**
     * @param result the output picture's 0xRRGGBB pixels, row-major over the whole image, holding the original
     *               pixels on entry
     */
    public static void paste(int[] result, int imageWidth, HoleMask holes, Region region, TileFill fill, int feather) {
        int cw = region.width();
        int ch = region.height();
        int tw = fill.width();
        int th = fill.height();
        boolean scaled = tw != cw || th != ch;
        byte[] distance = scaled && feather > 0 ? edgeDistance(holes, region, feather + 1) : null;
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
                float weight = distance == null ? 1f : (float) distance[sy * cw + sx] / (feather + 1);
                int original = result[y * imageWidth + x];
                int pixel = 0;
                for (int c = 0; c < 3; c++) {
                    int base = c * plane;
                    float top = rgb[base + y0 * tw + x0] * (1 - fx) + rgb[base + y0 * tw + x1] * fx;
                    float bottom = rgb[base + y1 * tw + x0] * (1 - fx) + rgb[base + y1 * tw + x1] * fx;
                    float value = top * (1 - fy) + bottom * fy;
                    int old = original >> (16 - 8 * c) & 0xff;
                    int blended = Math.round(weight * value + (1 - weight) * old);
                    pixel = pixel << 8 | Math.max(0, Math.min(255, blended));
                }
                result[y * imageWidth + x] = pixel;
            }
        }
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /**
     * Chessboard distance of each region pixel to the nearest known pixel of the region, capped at {@code cap}
     * (two-pass chamfer transform). Pixels outside the region count as unknown: a region's crop only touches its own
     * holes at the image border, where there is nothing to blend with.
     */
    private static byte[] edgeDistance(HoleMask holes, Region region, int cap) {
        int w = region.width();
        int h = region.height();
        byte[] d = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                d[y * w + x] = (byte) (holes.isHole(region.x() + x, region.y() + y) ? cap : 0);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                relax(d, w, h, x, y, -1, 0);
                relax(d, w, h, x, y, -1, -1);
                relax(d, w, h, x, y, 0, -1);
                relax(d, w, h, x, y, 1, -1);
            }
        }
        for (int y = h - 1; y >= 0; y--) {
            for (int x = w - 1; x >= 0; x--) {
                relax(d, w, h, x, y, 1, 0);
                relax(d, w, h, x, y, 1, 1);
                relax(d, w, h, x, y, 0, 1);
                relax(d, w, h, x, y, -1, 1);
            }
        }
        return d;
    }

    private static void relax(byte[] d, int w, int h, int x, int y, int dx, int dy) {
        int nx = x + dx;
        int ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) {
            return;
        }
        int i = y * w + x;
        int candidate = d[ny * w + nx] + 1;
        if (candidate < d[i]) {
            d[i] = (byte) candidate;
        }
    }
}
