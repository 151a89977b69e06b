package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The metrics on pictures whose scores can be worked out by hand. */
class MetricTest {
    private static final int SIDE = 16;

    private static int[] flat(int value) {
        int[] picture = new int[SIDE * SIDE];
        Arrays.fill(picture, value << 16 | value << 8 | value);
        return picture;
    }

    private static double score(Metric metric, int[] truth, int[] result, boolean[] hole) {
        return metric.of(truth, result, hole, SIDE);
    }

    @Test
    void identicalPicturesHaveNoErrorCappedPsnrAndSsimOne() {
        int[] picture = SyntheticPhoto.create(SIDE, SIDE, 7).getRGB(0, 0, SIDE, SIDE, null, 0, SIDE);
        for (int i = 0; i < picture.length; i++) {
            picture[i] &= 0xffffff;
        }
        boolean[] hole = new boolean[picture.length];
        Arrays.fill(hole, 0, 40, true);
        assertEquals(0, score(Metric.HOLE_L1, picture, picture.clone(), hole));
        assertEquals(0, score(Metric.L1, picture, picture.clone(), hole));
        assertEquals(0, score(Metric.L2, picture, picture.clone(), hole));
        assertEquals(Metric.PSNR_CAP, score(Metric.PSNR, picture, picture.clone(), hole));
        assertEquals(1, score(Metric.SSIM, picture, picture.clone(), hole), 1e-12);
    }

    @Test
    void aConstantOffsetOfTenGivesTheKnownErrors() {
        int[] truth = flat(100);
        int[] result = flat(110);
        boolean[] hole = new boolean[truth.length];
        hole[5] = true;
        assertEquals(100 * 10 / 255.0, score(Metric.HOLE_L1, truth, result, hole), 1e-9); // 3.92 %
        assertEquals(100 * 10 / 255.0, score(Metric.L1, truth, result, hole), 1e-9);
        assertEquals(100 * Math.pow(10 / 255.0, 2), score(Metric.L2, truth, result, hole), 1e-9); // 0.154 %
        assertEquals(28.1308036, score(Metric.PSNR, truth, result, hole), 1e-6); // 10 log10(255^2 / 100)
        // flat windows: no variance, so only the luminance term (2*100*110 + C1) / (100^2 + 110^2 + C1) is left
        assertEquals(0.9954764, score(Metric.SSIM, truth, result, hole), 1e-6);
    }

    @Test
    void holeL1CountsOnlyTheHole() {
        int[] truth = flat(0);
        int[] result = flat(0);
        result[3] = 51 << 16; // one channel of one pixel off by 20 % of 255
        boolean[] hole = new boolean[truth.length];
        hole[3] = true;
        hole[4] = true;
        assertEquals(20 / 6.0, score(Metric.HOLE_L1, truth, result, hole), 1e-9);
        assertEquals(20 / (3.0 * truth.length), score(Metric.L1, truth, result, hole), 1e-9);
    }

    @Test
    void theSeamIsTheEdgeContrastInExcessOfTheTruths() {
        // the hole is columns 4..11; its edge pixels (columns 4 and 11) each have one known 4-neighbour
        boolean[] hole = new boolean[SIDE * SIDE];
        for (int i = 0; i < hole.length; i++) {
            hole[i] = i % SIDE >= 4 && i % SIDE < 12;
        }
        int[] truth = flat(100);
        int[] halo = flat(100);
        for (int y = 0; y < SIDE; y++) {
            halo[y * SIDE + 4] = 0xffffff;
            truth[y * SIDE + 11] = 130 * 0x010101;
        }
        assertEquals(100 * 30 / 2 / 255.0, Metric.seam(truth, hole, SIDE), 1e-9);
        // the halo's edge differs by 155 on the left, by 0 on the right, against the truth's 0 and 30
        assertEquals(100 * (155 - 30) / 2 / 255.0, score(Metric.SEAM, truth, halo, hole), 1e-9);
        assertEquals(0, score(Metric.SEAM, truth, truth.clone(), hole));
    }

    @Test
    void totalVariationOfACheckerboardIsFullAndOfARampItsStep() {
        int[] checkerboard = new int[SIDE * SIDE];
        int[] ramp = new int[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                checkerboard[y * SIDE + x] = (x + y) % 2 == 0 ? 0 : 0xffffff;
                ramp[y * SIDE + x] = (10 * x) * 0x010101;
            }
        }
        assertEquals(100, Metric.tv(checkerboard, SIDE), 1e-9);
        assertEquals(0, Metric.tv(flat(77), SIDE));
        // horizontal pairs differ by 10, as many vertical pairs by 0
        assertEquals(100 * 5 / 255.0, Metric.tv(ramp, SIDE), 1e-9);
    }
}
