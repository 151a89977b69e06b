package io.inpaint.engine.image;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import java.awt.image.BufferedImage;

/** The thresholded hole mask at full resolution, one byte per pixel (1 = hole). */
public final class HoleMask {
    private final int width;
    private final int height;
    private final byte[] bits;
    private final long count;

    private HoleMask(int width, int height, byte[] bits) {
        this.width = width;
        this.height = height;
        this.bits = bits;
        long n = 0;
        for (byte b : bits) {
            n += b;
        }
        this.count = n;
    }

    /**
     * Thresholds a mask picture. ALPHA: alpha &gt; 0 is hole; LUMINANCE: Rec. 601 luma &gt; threshold is hole;
     * AUTO: ALPHA when the picture has an alpha channel that is not opaque everywhere, else LUMINANCE.
     */
    public static HoleMask threshold(BufferedImage mask, MaskMode mode, int threshold) {
        MaskMode resolved = mode == MaskMode.AUTO ? (hasTransparency(mask) ? MaskMode.ALPHA : MaskMode.LUMINANCE) : mode;
        int w = mask.getWidth();
        int h = mask.getHeight();
        byte[] bits = new byte[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            Pixels.readRow(mask, 0, y, w, row);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                boolean hole = resolved == MaskMode.ALPHA ? p >>> 24 > 0 : luma(p) > threshold;
                bits[y * w + x] = (byte) (hole ? 1 : 0);
            }
        }
        return new HoleMask(w, h, bits);
    }

    private static boolean hasTransparency(BufferedImage mask) {
        if (!mask.getColorModel().hasAlpha()) {
            return false;
        }
        int w = mask.getWidth();
        int[] row = new int[w];
        for (int y = 0; y < mask.getHeight(); y++) {
            Pixels.readRow(mask, 0, y, w, row);
            for (int p : row) {
                if (p >>> 24 != 255) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int luma(int rgb) {
        int r = rgb >> 16 & 0xff;
        int g = rgb >> 8 & 0xff;
        int b = rgb & 0xff;
        return (299 * r + 587 * g + 114 * b + 500) / 1000;
    }

    /**
     * Grows the hole by {@code radius} pixels in every direction (square neighbourhood), so the fill also covers
     * halos and anti-aliased edges around the object. Separable running-window maximum: O(pixels) for any radius.
     */
    public HoleMask dilate(int radius) {
        if (radius == 0) {
            return this;
        }
        byte[] horizontal = new byte[bits.length];
        for (int y = 0; y < height; y++) {
            dilateLine(bits, horizontal, y * width, 1, width, radius);
        }
        byte[] out = new byte[bits.length];
        for (int x = 0; x < width; x++) {
            dilateLine(horizontal, out, x, width, height, radius);
        }
        return new HoleMask(width, height, out);
    }

    /** out[i] = 1 when any of src[i - radius .. i + radius] along the line is 1; counts hole pixels in the window. */
    private static void dilateLine(byte[] src, byte[] out, int start, int stride, int length, int radius) {
        int inWindow = 0;
        for (int i = 0; i < Math.min(radius, length); i++) {
            inWindow += src[start + i * stride];
        }
        for (int i = 0; i < length; i++) {
            int enter = i + radius;
            if (enter < length) {
                inWindow += src[start + enter * stride];
            }
            int leave = i - radius - 1;
            if (leave >= 0) {
                inWindow -= src[start + leave * stride];
            }
            out[start + i * stride] = (byte) (inWindow > 0 ? 1 : 0);
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public long count() {
        return count;
    }

    public boolean isHole(int x, int y) {
        return bits[y * width + x] != 0;
    }
}
