package io.inpaint.engine.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;

/**
 * Reads rows of 8-bit ARGB pixels from any {@link BufferedImage}. This is the one definition of "the pixel value"
 * the whole pipeline uses, so "known pixels come back unchanged" has a single meaning.
 */
public final class Pixels {
    private Pixels() {
    }

    /** Reads {@code w} pixels of row {@code y} starting at column {@code x} as non-premultiplied ARGB. */
    public static void readRow(BufferedImage image, int x, int y, int w, int[] argb) {
        ColorModel cm = image.getColorModel();
        if (cm.getColorSpace().getType() != ColorSpace.TYPE_GRAY) {
            image.getRGB(x, y, w, 1, argb, 0, w);
            return;
        }
        // getRGB treats grey as linear light and brightens it (128 -> 188); every viewer shows the stored value.
        Raster raster = image.getRaster();
        int grayMax = (1 << cm.getComponentSize(0)) - 1;
        int alphaMax = cm.hasAlpha() ? (1 << cm.getComponentSize(1)) - 1 : 0;
        for (int i = 0; i < w; i++) {
            int g = to8Bit(raster.getSample(x + i, y, 0), grayMax);
            int a = cm.hasAlpha() ? to8Bit(raster.getSample(x + i, y, 1), alphaMax) : 255;
            argb[i] = a << 24 | g << 16 | g << 8 | g;
        }
    }

    private static int to8Bit(int value, int max) {
        return max == 255 ? value : (int) ((value * 255L + max / 2) / max);
    }
}
