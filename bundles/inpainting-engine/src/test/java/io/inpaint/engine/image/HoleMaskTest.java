package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class HoleMaskTest {

    @Test
    void luminanceAboveThresholdIsHole() {
        BufferedImage mask = new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB);
        mask.setRGB(0, 0, 0x7f7f7f);
        mask.setRGB(1, 0, 0x808080);
        mask.setRGB(2, 0, 0xff0000); // luma 76
        HoleMask holes = HoleMask.threshold(mask, MaskMode.LUMINANCE, 127);
        assertFalse(holes.isHole(0, 0));
        assertTrue(holes.isHole(1, 0));
        assertFalse(holes.isHole(2, 0));
        assertEquals(1, holes.count());
        assertEquals(2, HoleMask.threshold(mask, MaskMode.LUMINANCE, 80).count());
    }

    @Test
    void greyMaskIsReadAsStoredNotAsLinearLight() {
        BufferedImage mask = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        mask.getRaster().setSample(0, 0, 0, 120); // getRGB would report 184 here
        mask.getRaster().setSample(1, 0, 0, 140);
        HoleMask holes = HoleMask.threshold(mask, MaskMode.AUTO, 127);
        assertFalse(holes.isHole(0, 0));
        assertTrue(holes.isHole(1, 0));
    }

    @Test
    void autoUsesAlphaOnlyWhenTheMaskIsTransparentSomewhere() {
        BufferedImage mask = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        mask.setRGB(0, 0, 0x01000000); // black but slightly opaque: hole by alpha
        mask.setRGB(1, 0, 0x00ffffff); // white but transparent: known by alpha
        HoleMask auto = HoleMask.threshold(mask, MaskMode.AUTO, 127);
        assertTrue(auto.isHole(0, 0));
        assertFalse(auto.isHole(1, 0));
        assertEquals(auto.count(), HoleMask.threshold(mask, MaskMode.ALPHA, 127).count());
        HoleMask luminance = HoleMask.threshold(mask, MaskMode.LUMINANCE, 127);
        assertFalse(luminance.isHole(0, 0));
        assertTrue(luminance.isHole(1, 0));

        BufferedImage opaque = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        opaque.setRGB(0, 0, 0xff000000);
        opaque.setRGB(1, 0, 0xffffffff);
        HoleMask byLuminance = HoleMask.threshold(opaque, MaskMode.AUTO, 127);
        assertFalse(byLuminance.isHole(0, 0));
        assertTrue(byLuminance.isHole(1, 0));
    }

    @Test
    void dilationGrowsASquareAndStopsAtTheBorder() {
        BufferedImage mask = new BufferedImage(9, 7, BufferedImage.TYPE_BYTE_GRAY);
        mask.getRaster().setSample(4, 3, 0, 255);
        mask.getRaster().setSample(0, 0, 0, 255);
        HoleMask grown = HoleMask.threshold(mask, MaskMode.LUMINANCE, 127).dilate(2);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 9; x++) {
                boolean nearCentre = Math.abs(x - 4) <= 2 && Math.abs(y - 3) <= 2;
                boolean nearCorner = x <= 2 && y <= 2;
                assertEquals(nearCentre || nearCorner, grown.isHole(x, y), "pixel " + x + "," + y);
            }
        }
        assertEquals(25 + 9 - 2, grown.count()); // the two squares share pixels (2,1) and (2,2)
    }
}
