package io.inpaint.cli;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.engine.Inpainter;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import nu.pattern.OpenCV;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.photo.Photo;

/**
 * One way of filling a hole that {@code inpaint evaluate} compares.
 *
 * @param key   its name in report.json
 * @param label its name in the table and on the contact sheet
 */
record FillMethod(String key, String label, Fill fill) {
    /** OpenCV's inpainting radius: the neighbourhood, in pixels, each filled pixel is estimated from. */
    static final int OPENCV_RADIUS = 5;

    interface Fill {
        /**
         * @param input a {@code TYPE_INT_RGB} picture whose hole pixels hold no information (they are painted over)
         * @return a {@code TYPE_INT_RGB} picture of the same size, the known pixels unchanged
         */
        BufferedImage apply(BufferedImage input, boolean[] hole);
    }

    /** The product: the engine's request path with {@code options}, as the command and the service run it. */
    static FillMethod model(Inpainter inpainter, String engine, InpaintingOptions options) {
        return new FillMethod("model", inpainter.descriptor().name() + " (" + engine + ")",
                (input, hole) -> inpainter.inpaint(input, MaskKind.picture(hole, input.getWidth()), options).image());
    }

    static FillMethod telea() {
        return openCv("telea", "Telea", Photo.INPAINT_TELEA);
    }

    static FillMethod navierStokes() {
        return openCv("navier-stokes", "Navier-Stokes", Photo.INPAINT_NS);
    }

    /** The floor any method should clear: every hole pixel gets the mean colour of the known pixels. */
    static FillMethod meanColour() {
        return new FillMethod("mean-colour", "mean colour", (input, hole) -> {
            BufferedImage result = copy(input);
            int[] pixels = pixels(result);
            long[] sum = new long[3];
            long known = 0;
            for (int i = 0; i < pixels.length; i++) {
                if (!hole[i]) {
                    sum[0] += pixels[i] >> 16 & 0xff;
                    sum[1] += pixels[i] >> 8 & 0xff;
                    sum[2] += pixels[i] & 0xff;
                    known++;
                }
            }
            long n = Math.max(known, 1);
            int mean = Math.round((float) sum[0] / n) << 16 | Math.round((float) sum[1] / n) << 8
                    | Math.round((float) sum[2] / n);
            for (int i = 0; i < pixels.length; i++) {
                if (hole[i]) {
                    pixels[i] = mean;
                }
            }
            return result;
        });
    }

    private static FillMethod openCv(String key, String name, int algorithm) {
        OpenCV.loadLocally(); // once per JVM: the natives come out of the jar, so this works offline
        return new FillMethod(key, name + " r=" + OPENCV_RADIUS, (input, hole) -> {
            int w = input.getWidth();
            int h = input.getHeight();
            int[] pixels = pixels(input);
            byte[] bgr = new byte[pixels.length * 3];
            byte[] holeBytes = new byte[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                bgr[3 * i] = (byte) pixels[i];
                bgr[3 * i + 1] = (byte) (pixels[i] >> 8);
                bgr[3 * i + 2] = (byte) (pixels[i] >> 16);
                holeBytes[i] = (byte) (hole[i] ? 255 : 0);
            }
            Mat source = new Mat(h, w, CvType.CV_8UC3);
            Mat mask = new Mat(h, w, CvType.CV_8UC1);
            Mat filled = new Mat();
            try {
                source.put(0, 0, bgr);
                mask.put(0, 0, holeBytes);
                Photo.inpaint(source, mask, filled, OPENCV_RADIUS, algorithm);
                filled.get(0, 0, bgr);
            } finally {
                source.release();
                mask.release();
                filled.release();
            }
            BufferedImage result = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int[] out = pixels(result);
            for (int i = 0; i < out.length; i++) {
                out[i] = (bgr[3 * i + 2] & 0xff) << 16 | (bgr[3 * i + 1] & 0xff) << 8 | bgr[3 * i] & 0xff;
            }
            return result;
        });
    }

    /**
     * The picture's pixels as 0xRRGGBB: the live array of a {@code TYPE_INT_RGB} picture (writes change it), else
     * a copy's (the product's results are {@code TYPE_3BYTE_BGR}).
     */
    static int[] pixels(BufferedImage picture) {
        BufferedImage rgb = picture.getType() == BufferedImage.TYPE_INT_RGB ? picture : copy(picture);
        return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
    }

    /** A {@code TYPE_INT_RGB} copy of any picture, alpha dropped. */
    static BufferedImage copy(BufferedImage picture) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        BufferedImage copy = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        copy.setRGB(0, 0, w, h, picture.getRGB(0, 0, w, h, null, 0, w), 0, w);
        return copy;
    }
}
