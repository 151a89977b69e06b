package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The classical methods, on a smooth picture with the centred hole. */
class FillMethodTest {
    private static final int SIDE = MaskKind.SIDE;

    /** A smooth diagonal gradient: what Telea's propagation of the border reconstructs well and a mean cannot. */
    private static BufferedImage gradient() {
        BufferedImage picture = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                picture.setRGB(x, y, (x * 255 / (SIDE - 1)) << 16 | (y * 255 / (SIDE - 1)) << 8 | 128);
            }
        }
        return picture;
    }

    private static BufferedImage withHole(BufferedImage truth, boolean[] hole) {
        BufferedImage input = FillMethod.copy(truth);
        int[] pixels = FillMethod.pixels(input);
        for (int i = 0; i < hole.length; i++) {
            if (hole[i]) {
                pixels[i] = 0xffffff;
            }
        }
        return input;
    }

    @Test
    void teleaBeatsTheMeanColourOnASmoothGradientAndEveryMethodKeepsTheKnownPixels() {
        BufferedImage truth = gradient();
        boolean[] hole = MaskKind.CENTER.hole(1, 0);
        int[] expected = FillMethod.pixels(truth);
        double[] holeL1 = new double[3];
        List<FillMethod> methods = List.of(FillMethod.telea(), FillMethod.navierStokes(), FillMethod.meanColour());
        for (int m = 0; m < methods.size(); m++) {
            int[] result = FillMethod.pixels(methods.get(m).fill().apply(withHole(truth, hole), hole));
            for (int i = 0; i < hole.length; i++) {
                if (!hole[i]) {
                    assertEquals(expected[i], result[i], methods.get(m).key() + " changed a known pixel");
                }
            }
            holeL1[m] = Metric.l1(expected, result, hole);
        }
        // the mean of this gradient misses the hole's corners by about a quarter of the range
        assertTrue(holeL1[0] < holeL1[2] / 2, "Telea " + holeL1[0] + " %, mean colour " + holeL1[2] + " %");
        assertTrue(holeL1[1] < holeL1[2] / 2, "Navier-Stokes " + holeL1[1] + " %, mean colour " + holeL1[2] + " %");
    }
}
