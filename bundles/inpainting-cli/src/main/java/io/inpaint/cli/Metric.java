package io.inpaint.cli;

/**
 * What {@code inpaint evaluate} measures of a filled picture against the original. Pictures are packed RGB pixels
 * ({@code 0xRRGGBB}), row by row; every metric but TV compares the result with the truth.
 */
enum Metric {
    HOLE_L1("holeL1", "hole l1 %", "mean absolute error over the hole's pixels and channels, in % of 255"),
    L1("l1", "l1 %", "mean absolute error over all pixels and channels, in % of 255"),
    L2("l2", "l2 %", "mean squared error over all pixels and channels, values scaled to 0..1, in %"),
    PSNR("psnr", "PSNR dB", "10 log10(255^2 / mean squared error) over the whole picture, capped at "
            + (int) Metric.PSNR_CAP + " dB (identical pictures)"),
    SSIM("ssim", "SSIM", "mean SSIM of the luminance (Rec. 601 luma), 11x11 Gaussian window with sigma 1.5,"
            + " K1 0.01, K2 0.03, L 255, over the windows that fit inside the picture (no padding)"),
    TV("tv", "TV %", "total variation of the result: mean absolute difference of horizontally and vertically"
            + " neighbouring pixels, all channels, in % of 255"),
    SEAM("seam", "seam +%", "seam excess: the mean absolute difference between each hole pixel and each of its known"
            + " 4-neighbours, all channels, in % of 255, minus the same figure in the ground truth; positive where the"
            + " fill's edge stands out from its surroundings more than the original did (a seam or a halo),"
            + " negative where it is smoother");

    /** What PSNR reports for identical pictures, where it would be infinite, which JSON cannot hold. */
    static final double PSNR_CAP = 100;
    private static final int WINDOW = 11;
    private static final double SIGMA = 1.5;
    private static final double C1 = Math.pow(0.01 * 255, 2);
    private static final double C2 = Math.pow(0.03 * 255, 2);

    /** The name in report.json. */
    final String key;
    /** The column heading of the printed table. */
    final String heading;
    final String definition;

    Metric(String key, String heading, String definition) {
        this.key = key;
        this.heading = heading;
        this.definition = definition;
    }

    double of(int[] truth, int[] result, boolean[] hole, int width) {
        return switch (this) {
            case HOLE_L1 -> l1(truth, result, hole);
            case L1 -> l1(truth, result, null);
            case L2 -> meanSquaredError(truth, result) / (255.0 * 255.0) * 100;
            case PSNR -> psnr(truth, result);
            case SSIM -> ssim(truth, result, width);
            case TV -> tv(result, width);
            case SEAM -> seam(result, hole, width) - seam(truth, hole, width);
        };
    }

    /** Over the pixels {@code select} marks, or over all when it is null; in % of 255. */
    static double l1(int[] truth, int[] result, boolean[] select) {
        long sum = 0;
        long count = 0;
        for (int i = 0; i < truth.length; i++) {
            if (select == null || select[i]) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs((truth[i] >> shift & 0xff) - (result[i] >> shift & 0xff));
                }
                count += 3;
            }
        }
        return count == 0 ? 0 : sum / (count * 255.0) * 100;
    }

    /** In 0..255 units. */
    static double meanSquaredError(int[] truth, int[] result) {
        long sum = 0;
        for (int i = 0; i < truth.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                long d = (truth[i] >> shift & 0xff) - (result[i] >> shift & 0xff);
                sum += d * d;
            }
        }
        return sum / (3.0 * truth.length);
    }

    static double psnr(int[] truth, int[] result) {
        double mse = meanSquaredError(truth, result);
        return mse == 0 ? PSNR_CAP : Math.min(PSNR_CAP, 10 * Math.log10(255.0 * 255.0 / mse));
    }

    static double ssim(int[] truth, int[] result, int width) {
        int height = truth.length / width;
        if (width < WINDOW || height < WINDOW) {
            throw new IllegalArgumentException("SSIM needs at least " + WINDOW + "x" + WINDOW + " pixels");
        }
        double[] x = luma(truth);
        double[] y = luma(result);
        double[] xx = new double[x.length];
        double[] yy = new double[x.length];
        double[] xy = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] kernel = gaussian();
        double[] mx = blur(x, width, kernel);
        double[] my = blur(y, width, kernel);
        double[] exx = blur(xx, width, kernel);
        double[] eyy = blur(yy, width, kernel);
        double[] exy = blur(xy, width, kernel);
        double sum = 0;
        for (int i = 0; i < mx.length; i++) {
            double vx = exx[i] - mx[i] * mx[i];
            double vy = eyy[i] - my[i] * my[i];
            double cov = exy[i] - mx[i] * my[i];
            sum += (2 * mx[i] * my[i] + C1) * (2 * cov + C2)
                    / ((mx[i] * mx[i] + my[i] * my[i] + C1) * (vx + vy + C2));
        }
        return sum / mx.length;
    }

    static double tv(int[] picture, int width) {
        int height = picture.length / width;
        long sum = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = picture[y * width + x];
                for (int shift = 0; shift <= 16; shift += 8) {
                    int c = p >> shift & 0xff;
                    if (x + 1 < width) {
                        sum += Math.abs((picture[y * width + x + 1] >> shift & 0xff) - c);
                    }
                    if (y + 1 < height) {
                        sum += Math.abs((picture[(y + 1) * width + x] >> shift & 0xff) - c);
                    }
                }
            }
        }
        long pairs = 3L * ((long) (width - 1) * height + (long) width * (height - 1));
        return pairs == 0 ? 0 : sum / (pairs * 255.0) * 100;
    }

    /** Mean absolute difference over every (hole pixel, known 4-neighbour) pair, all channels, in % of 255. */
    static double seam(int[] picture, boolean[] hole, int width) {
        int height = picture.length / width;
        long sum = 0;
        long count = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (!hole[i]) {
                    continue;
                }
                for (int n : new int[] {x > 0 ? i - 1 : -1, x + 1 < width ? i + 1 : -1, y > 0 ? i - width : -1,
                        y + 1 < height ? i + width : -1}) {
                    if (n >= 0 && !hole[n]) {
                        for (int shift = 0; shift <= 16; shift += 8) {
                            sum += Math.abs((picture[i] >> shift & 0xff) - (picture[n] >> shift & 0xff));
                        }
                        count += 3;
                    }
                }
            }
        }
        return count == 0 ? 0 : sum / (count * 255.0) * 100;
    }

    private static double[] luma(int[] picture) {
        double[] luma = new double[picture.length];
        for (int i = 0; i < picture.length; i++) {
            int p = picture[i];
            luma[i] = 0.299 * (p >> 16 & 0xff) + 0.587 * (p >> 8 & 0xff) + 0.114 * (p & 0xff);
        }
        return luma;
    }

    private static double[] gaussian() {
        double[] kernel = new double[WINDOW];
        double sum = 0;
        for (int i = 0; i < WINDOW; i++) {
            int d = i - WINDOW / 2;
            kernel[i] = Math.exp(-d * d / (2 * SIGMA * SIGMA));
            sum += kernel[i];
        }
        for (int i = 0; i < WINDOW; i++) {
            kernel[i] /= sum;
        }
        return kernel;
    }

    /** Separable filtering, keeping only the positions where the whole window fits: (w-10) x (h-10) values. */
    private static double[] blur(double[] values, int width, double[] kernel) {
        int height = values.length / width;
        int w = width - WINDOW + 1;
        int h = height - WINDOW + 1;
        double[] rows = new double[w * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) {
                    s += kernel[k] * values[y * width + x + k];
                }
                rows[y * w + x] = s;
            }
        }
        double[] out = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) {
                    s += kernel[k] * rows[(y + k) * w + x];
                }
                out[y * w + x] = s;
            }
        }
        return out;
    }
}
