package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegionPlannerTest {

    private static HoleMask holes(int w, int h, int[]... rects) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        for (int[] r : rects) {
            g.fillRect(r[0], r[1], r[2], r[3]);
        }
        g.dispose();
        return HoleMask.threshold(mask, MaskMode.LUMINANCE, 127);
    }

    @Test
    void anImageThatFitsIsOneUnscaledRegion() {
        List<Region> regions = RegionPlanner.plan(holes(512, 300, new int[] {10, 10, 5, 5}), 512, 64);
        assertEquals(List.of(new Region(0, 0, 512, 300, 512, 300)), regions);
    }

    @Test
    void distantHolesGetTheirOwnCropsWithContextOfAtLeastTheHoleSize() {
        List<Region> regions = RegionPlanner.plan(
                holes(3000, 2000, new int[] {500, 400, 100, 50}, new int[] {2500, 1500, 20, 20}), 512, 64);
        assertEquals(2, regions.size());
        assertEquals(new Region(400, 300, 300, 250, 300, 250), regions.get(0)); // margin = 100, the larger side
        assertEquals(new Region(2436, 1436, 148, 148, 148, 148), regions.get(1)); // margin = 64, the minimum
    }

    @Test
    void holesWhoseContextsOverlapAreOneRegion() {
        List<Region> regions = RegionPlanner.plan(
                holes(3000, 2000, new int[] {1000, 1000, 40, 40}, new int[] {1150, 1000, 40, 40}), 512, 64);
        assertEquals(1, regions.size());
        assertEquals(new Region(1000 - 190, 1000 - 190, 190 * 3, 40 + 2 * 190, 512, 377), regions.get(0));
    }

    @Test
    void cropsAreClampedToTheImageAndScaledToTheMaxSide() {
        Region r = RegionPlanner.plan(holes(6000, 4000, new int[] {0, 3000, 1200, 1000}), 512, 64).get(0);
        assertEquals(0, r.x());
        assertEquals(1800, r.y());
        assertEquals(2400, r.width());
        assertEquals(2200, r.height());
        assertEquals(512, r.netWidth());
        assertEquals(469, r.netHeight());
    }

    @Test
    void manySpecksAreGroupedIntoFewDisjointRegions() {
        int w = 4000;
        int h = 3000;
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 5; y < h; y += 37) {
            for (int x = 3; x < w; x += 41) {
                mask.getRaster().setSample(x, y, 0, 255);
            }
        }
        HoleMask holes = HoleMask.threshold(mask, MaskMode.LUMINANCE, 127);
        List<Region> regions = RegionPlanner.plan(holes, 512, 64);
        long covered = 0;
        for (int i = 0; i < regions.size(); i++) {
            Region a = regions.get(i);
            assertTrue(Math.max(a.netWidth(), a.netHeight()) <= 512);
            for (int j = i + 1; j < regions.size(); j++) {
                Region b = regions.get(j);
                assertFalse(a.x() < b.x() + b.width() && b.x() < a.x() + a.width()
                        && a.y() < b.y() + b.height() && b.y() < a.y() + a.height(), "regions overlap");
            }
            for (int y = a.y(); y < a.y() + a.height(); y++) {
                for (int x = a.x(); x < a.x() + a.width(); x++) {
                    covered += holes.isHole(x, y) ? 1 : 0;
                }
            }
        }
        assertEquals(holes.count(), covered, "every hole pixel lies in exactly one region");
    }
}
