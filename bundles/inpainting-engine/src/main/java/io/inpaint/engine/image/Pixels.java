package io.inpaint.engine.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * Reads rows of 8-bit ARGB pixels from any {@link BufferedImage}. This is the one definition of "the pixel value"
 * the whole pipeline uses, so "known pixels come back unchanged" has a single meaning.
 */
public final class Pixels {
    private Pixels() {
    }

    /** Reads {@code w} pixels of row {@code y} starting at column {@code x} as non-premultiplied ARGB. */
    public static void readRow(BufferedImage image, int x, int y, int w, int[] argb) {
        if (readStored(image, x, y, w, argb)) {
            return;
        }
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

    /**
     * The layouts decoders produce, read straight from the raster: {@code getRGB} goes through the colour model pixel
     * by pixel, about 8x slower, for the same values (these types are sRGB or grey, 8 bits, not premultiplied).
     *
     * @return false for any other layout
     */
    private static boolean readStored(BufferedImage image, int x, int y, int w, int[] argb) {
        Raster raster = image.getRaster();
        int sx = x - raster.getSampleModelTranslateX();
        int sy = y - raster.getSampleModelTranslateY();
        switch (image.getType()) {
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB -> {
                DataBufferInt buffer = (DataBufferInt) raster.getDataBuffer();
                int[] data = buffer.getData();
                SinglePixelPackedSampleModel model = (SinglePixelPackedSampleModel) raster.getSampleModel();
                int start = buffer.getOffset() + model.getOffset(sx, sy);
                boolean opaque = image.getType() == BufferedImage.TYPE_INT_RGB;
                for (int i = 0; i < w; i++) {
                    argb[i] = opaque ? 0xff000000 | data[start + i] : data[start + i];
                }
                return true;
            }
            case BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_BYTE_GRAY -> {
                DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
                byte[] data = buffer.getData();
                ComponentSampleModel model = (ComponentSampleModel) raster.getSampleModel();
                int stride = model.getPixelStride();
                int start = buffer.getOffset() + model.getOffset(sx, sy, 0);
                if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                    for (int i = 0, p = start; i < w; i++, p += stride) {
                        int g = data[p] & 0xff;
                        argb[i] = 0xff000000 | g << 16 | g << 8 | g;
                    }
                    return true;
                }
                // band offsets from band 0 (red): green, blue, and alpha where there is one
                int green = model.getOffset(sx, sy, 1) - model.getOffset(sx, sy, 0);
                int blue = model.getOffset(sx, sy, 2) - model.getOffset(sx, sy, 0);
                boolean hasAlpha = image.getType() == BufferedImage.TYPE_4BYTE_ABGR;
                int alpha = hasAlpha ? model.getOffset(sx, sy, 3) - model.getOffset(sx, sy, 0) : 0;
                for (int i = 0, p = start; i < w; i++, p += stride) {
                    int a = hasAlpha ? data[p + alpha] & 0xff : 0xff;
                    argb[i] = a << 24 | (data[p] & 0xff) << 16 | (data[p + green] & 0xff) << 8 | data[p + blue] & 0xff;
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static int to8Bit(int value, int max) {
        return max == 255 ? value : (int) ((value * 255L + max / 2) / max);
    }
}
