package io.inpaint.cli;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/**
 * A deterministic photo-like picture for benchmarks: a sky gradient over rolling hills, with value noise at a few
 * scales for texture, so the network sees smooth areas, edges and detail rather than a flat test card.
 */
final class SyntheticPhoto {
    private SyntheticPhoto() {
    }

    static BufferedImage create(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        float[][] noise = {grid(seed, 9), grid(seed + 1, 33), grid(seed + 2, 129)};
        for (int y = 0; y < height; y++) {
            double v = (double) y / height;
            for (int x = 0; x < width; x++) {
                double u = (double) x / width;
                double texture = 0.5 * sample(noise[0], 9, u, v) + 0.3 * sample(noise[1], 33, u, v)
                        + 0.2 * sample(noise[2], 129, u, v);
                double horizon = 0.55 + 0.08 * Math.sin(u * 7.0) + 0.05 * (sample(noise[0], 9, u, 0.3) - 0.5);
                double r;
                double g;
                double b;
                if (v < horizon) {
                    r = 90 + 100 * v + 20 * texture;
                    g = 140 + 80 * v + 20 * texture;
                    b = 220 + 20 * v + 10 * texture;
                } else {
                    double depth = (v - horizon) / (1 - horizon);
                    r = 60 + 70 * texture + 40 * depth;
                    g = 90 + 90 * texture - 20 * depth;
                    b = 30 + 40 * texture;
                }
                pixels[y * width + x] = clamp(r) << 16 | clamp(g) << 8 | clamp(b);
            }
        }
        return image;
    }

    /** Random values on an n x n lattice. */
    private static float[] grid(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        return values;
    }

    /** Bilinear interpolation of the lattice at (u, v) in [0, 1). */
    private static double sample(float[] lattice, int n, double u, double v) {
        double x = u * (n - 1);
        double y = v * (n - 1);
        int x0 = Math.min((int) x, n - 2);
        int y0 = Math.min((int) y, n - 2);
        double fx = x - x0;
        double fy = y - y0;
        double top = lattice[y0 * n + x0] * (1 - fx) + lattice[y0 * n + x0 + 1] * fx;
        double bottom = lattice[(y0 + 1) * n + x0] * (1 - fx) + lattice[(y0 + 1) * n + x0 + 1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static int clamp(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }
}
