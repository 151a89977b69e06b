package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.image.HoleDepth.DeepPass;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class HoleDepthTest {

    private static byte[] mask(String... rows) {
        byte[] mask = new byte[rows.length * rows[0].length()];
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < rows[y].length(); x++) {
                mask[y * rows[0].length() + x] = (byte) (rows[y].charAt(x) == '#' ? 1 : 0);
            }
        }
        return mask;
    }

    @Test
    void eachHolePixelIsAsDeepAsItsChessboardDistanceToTheNearestKnownPixel() {
        int[] depth = HoleDepth.depths(mask(
                ".......",
                ".#####.",
                ".#####.",
                ".#####.",
                "......."), 7, 5);
        assertArrayEquals(new int[] {
            0, 0, 0, 0, 0, 0, 0,
            0, 1, 1, 1, 1, 1, 0,
            0, 1, 2, 2, 2, 1, 0,
            0, 1, 1, 1, 1, 1, 0,
            0, 0, 0, 0, 0, 0, 0}, depth);
    }

    @Test
    void beyondTheTilesEdgeIsNoContext() {
        // the network sees nothing past the edge, so a hole there is as deep as its distance from the known side
        int[] depth = HoleDepth.depths(mask(
                "###.",
                "###.",
                "###."), 4, 3);
        assertArrayEquals(new int[] {3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0}, depth);
    }

    private static HoleMask centredHole(int w, int h, int side) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect((w - side) / 2, (h - side) / 2, side, side);
        g.dispose();
        return HoleMask.threshold(mask, MaskMode.AUTO, 127);
    }

    private static DeepPass plan(int w, int h, int side, Region region) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        HoleMask holes = centredHole(w, h, side);
        return HoleDepth.plan(image, holes, region, NetworkTile.sample(image, holes, region));
    }

    @Test
    void aHoleNoDeeperThanTheTrainingBoxesGetsNoSecondPass() {
        // the paper's case: a 128-px box in the middle of a 256-px crop, 64 deep
        assertNull(plan(256, 256, 128, new Region(0, 0, 256, 256, 256, 256)));
    }

    @Test
    void aDeeperHoleIsRunAgainScaledToTheTargetDepthAndBlendedInByDepth() {
        // a 320-px hole in a 640-px picture scaled to 512: 128 deep in the tile, so the second pass is 48 / 128 of it
        DeepPass deep = plan(640, 640, 320, new Region(0, 0, 640, 640, 512, 512));
        assertNotNull(deep);
        assertEquals(new Region(0, 0, 640, 640, 192, 192), deep.region());
        assertEquals(192, deep.tile().width());
        assertEquals(192, deep.tile().height());
        float[] w = deep.weights();
        assertEquals(512 * 512, w.length);
        int edge = 128; // the hole's first row and column in the tile
        assertEquals(0f, w[(edge - 1) * 512 + 256], "a known pixel keeps the full-scale fill");
        assertEquals(1f / HoleDepth.BLEND_DEPTH, w[edge * 512 + 256], 1e-6, "the rim takes little");
        assertEquals(0.5f, w[(edge + HoleDepth.BLEND_DEPTH / 2 - 1) * 512 + 256], 1e-6);
        assertEquals(1f, w[256 * 512 + 256], "the middle takes the second pass");
    }
}
