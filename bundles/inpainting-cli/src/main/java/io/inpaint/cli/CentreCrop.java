package io.inpaint.cli;

import io.inpaint.engine.InvalidInputException;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/** The square middle of a picture, its short side first scaled down to the square's side by area averaging. */
final class CentreCrop {
    private CentreCrop() {
    }

    /** Per output coordinate: the first source pixel it covers and the weights (summing to 1) of those it covers. */
    private record Taps(int[] first, double[][] weights) {
    }

    /**
     * @return a {@code side} x {@code side} {@code TYPE_INT_RGB} picture
     * @throws InvalidInputException when a side of the picture is shorter than {@code side}
     */
    static BufferedImage of(BufferedImage image, int side) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (Math.min(w, h) < side) {
            throw new InvalidInputException("the picture is " + w + "x" + h + "; it needs at least " + side
                    + " pixels on each side");
        }
        // source pixels per output pixel, the same on both axes so that nothing is stretched
        double ratio = (double) Math.min(w, h) / side;
        Taps xs = taps(ratio, (int) Math.round(w / ratio), w, side);
        Taps ys = taps(ratio, (int) Math.round(h / ratio), h, side);
        int[] source = image.getRGB(0, 0, w, h, null, 0, w);
        BufferedImage crop = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        double[] sum = new double[3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                Arrays.fill(sum, 0);
                for (int j = 0; j < ys.weights[y].length; j++) {
                    int row = (ys.first[y] + j) * w + xs.first[x];
                    for (int i = 0; i < xs.weights[x].length; i++) {
                        double weight = ys.weights[y][j] * xs.weights[x][i];
                        int rgb = source[row + i];
                        sum[0] += weight * (rgb >> 16 & 0xff);
                        sum[1] += weight * (rgb >> 8 & 0xff);
                        sum[2] += weight * (rgb & 0xff);
                    }
                }
                crop.setRGB(x, y, channel(sum[0]) << 16 | channel(sum[1]) << 8 | channel(sum[2]));
            }
        }
        return crop;
    }

    /** The taps of the middle {@code side} of an axis of {@code length} source pixels scaled to {@code scaled}. */
    private static Taps taps(double ratio, int scaled, int length, int side) {
        int offset = (scaled - side) / 2;
        int[] first = new int[side];
        double[][] weights = new double[side][];
        for (int o = 0; o < side; o++) {
            double from = (o + offset) * ratio;
            double to = Math.min(length, from + ratio);
            int a = (int) Math.floor(from);
            int b = (int) Math.ceil(to);
            first[o] = a;
            weights[o] = new double[b - a];
            for (int k = a; k < b; k++) {
                weights[o][k - a] = (Math.min(k + 1, to) - Math.max(k, from)) / (to - from);
            }
        }
        return new Taps(first, weights);
    }

    private static int channel(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }
}
