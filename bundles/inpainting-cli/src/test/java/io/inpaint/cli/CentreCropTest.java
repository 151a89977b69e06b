package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inpaint.engine.InvalidInputException;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class CentreCropTest {
    @Test
    void halvingAveragesEachTwoByTwoBlockAndKeepsTheMiddle() {
        // 768x512 halves to 384x256, whose middle 256 columns are 64..319: source columns 128..639
        BufferedImage image = new BufferedImage(768, 512, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 768; x++) {
                int red = (x + y) % 2 == 0 ? 200 : 100; // every 2x2 block averages to 150
                image.setRGB(x, y, red << 16 | (x < 128 ? 255 : 0));
            }
        }
        BufferedImage crop = CentreCrop.of(image, 256);
        assertEquals(256, crop.getWidth());
        assertEquals(256, crop.getHeight());
        assertEquals(150 << 16, crop.getRGB(0, 0) & 0xffffff);
        assertEquals(150 << 16, crop.getRGB(255, 255) & 0xffffff);
    }

    @Test
    void aPictureOfTheRightHeightIsOnlyCropped() {
        BufferedImage image = SyntheticPhoto.create(300, 256, 3);
        assertEquals(image.getRGB(22, 17), CentreCrop.of(image, 256).getRGB(0, 17));
    }

    @Test
    void aPictureTooSmallIsRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> CentreCrop.of(new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB), 256));
        assertEquals("the picture is 300x200; it needs at least 256 pixels on each side", e.getMessage());
    }
}
