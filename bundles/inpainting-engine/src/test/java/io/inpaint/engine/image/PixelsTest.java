package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PixelsTest {

    private static BufferedImage noise(int type, long seed) {
        BufferedImage image = new BufferedImage(37, 23, type);
        Random random = new Random(seed);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return image;
    }

    /** What the colour model says, pixel by pixel: the slow, general definition the fast paths must match. */
    private static int[] viaColourModel(BufferedImage image, int x, int y, int w) {
        int[] expected = new int[w];
        for (int i = 0; i < w; i++) {
            expected[i] = image.getColorModel().getRGB(image.getRaster().getDataElements(x + i, y, null));
        }
        return expected;
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_USHORT_565_RGB})
    void aRowReadsAsTheColourModelSaysInTheWholePictureAndInASubimage(int type) {
        BufferedImage image = noise(type, type);
        BufferedImage part = image.getSubimage(5, 3, 20, 11);
        int[] row = new int[30];
        for (int y = 0; y < image.getHeight(); y += 7) {
            Pixels.readRow(image, 4, y, 30, row);
            assertArrayEquals(viaColourModel(image, 4, y, 30), row, "type " + type + ", row " + y);
        }
        int[] partRow = new int[17];
        for (int y = 0; y < part.getHeight(); y += 5) {
            Pixels.readRow(part, 2, y, 17, partRow);
            assertArrayEquals(viaColourModel(part, 2, y, 17), partRow, "subimage of type " + type + ", row " + y);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_USHORT_GRAY})
    void greyReadsAsStoredNotAsLinearLight(int type) {
        BufferedImage image = new BufferedImage(9, 4, type);
        int max = type == BufferedImage.TYPE_BYTE_GRAY ? 255 : 65535;
        for (int x = 0; x < 9; x++) {
            image.getRaster().setSample(x, 2, 0, max * x / 8);
        }
        BufferedImage part = image.getSubimage(1, 1, 8, 3);
        int[] row = new int[8];
        Pixels.readRow(part, 0, 1, 8, row);
        int[] expected = new int[8];
        for (int x = 0; x < 8; x++) {
            long stored = max * (x + 1) / 8;
            int g = (int) ((stored * 255 + max / 2) / max);
            expected[x] = 0xff000000 | g << 16 | g << 8 | g;
        }
        assertArrayEquals(expected, row);
    }
}
