package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class NetworkTileTest {

    private static BufferedImage pattern(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 7 & 0xff) << 16 | (y * 5 & 0xff) << 8 | (x * y & 0xff));
            }
        }
        return image;
    }

    @Test
    void anUnscaledRegionIsCopiedExactly() {
        BufferedImage image = pattern(20, 10);
        BufferedImage mask = new BufferedImage(20, 10, BufferedImage.TYPE_BYTE_GRAY);
        mask.getRaster().setSample(7, 4, 0, 255);
        NetworkTile tile = NetworkTile.sample(image, HoleMask.threshold(mask, MaskMode.AUTO, 127),
                new Region(5, 2, 8, 6, 8, 6));
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                int p = image.getRGB(5 + x, 2 + y);
                assertEquals(p >> 16 & 0xff, tile.rgb()[y * 8 + x]);
                assertEquals(p >> 8 & 0xff, tile.rgb()[48 + y * 8 + x]);
                assertEquals(p & 0xff, tile.rgb()[96 + y * 8 + x]);
                assertEquals(x == 2 && y == 2 ? 1 : 0, tile.mask()[y * 8 + x]);
            }
        }
    }

    @Test
    void downscalingAveragesAreasAndKeepsThinStrokes() {
        BufferedImage image = pattern(12, 9);
        BufferedImage mask = new BufferedImage(12, 9, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 9; y++) {
            mask.getRaster().setSample(4, y, 0, 255); // one pixel wide, inside network column 1 (x 3..5)
        }
        NetworkTile tile = NetworkTile.sample(image, HoleMask.threshold(mask, MaskMode.AUTO, 127),
                new Region(0, 0, 12, 9, 4, 3));
        for (int ty = 0; ty < 3; ty++) {
            for (int tx = 0; tx < 4; tx++) {
                double red = 0;
                for (int y = 3 * ty; y < 3 * ty + 3; y++) {
                    for (int x = 3 * tx; x < 3 * tx + 3; x++) {
                        red += image.getRGB(x, y) >> 16 & 0xff;
                    }
                }
                assertEquals(red / 9, tile.rgb()[ty * 4 + tx], 1e-3);
            }
        }
        assertArrayEquals(new byte[] {0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0}, tile.mask());
    }

    @Test
    void fractionalScaleWeightsEachPixelByItsOverlap() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x000000);
        image.setRGB(1, 0, 0x900000);
        image.setRGB(2, 0, 0xf00000);
        NetworkTile tile = NetworkTile.sample(image,
                HoleMask.threshold(new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY), MaskMode.AUTO, 127),
                new Region(0, 0, 3, 1, 2, 1));
        // each network pixel covers 1.5 image pixels
        assertEquals((0 + 0x90 * 0.5) / 1.5, tile.rgb()[0], 1e-4);
        assertEquals((0x90 * 0.5 + 0xf0) / 1.5, tile.rgb()[1], 1e-4);
    }
}
