package io.inpaint.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.image.RegionPlanner.Area;
import io.inpaint.engine.image.RegionPlanner.Region;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
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
    void distantHolesGetTheirOwnCropsWithContextOfAtLeastTheHoleSizeGrownToTheirBucket() {
        List<Region> regions = RegionPlanner.plan(
                holes(3000, 2000, new int[] {500, 400, 100, 50}, new int[] {2500, 1500, 20, 20}), 512, 64);
        assertEquals(2, regions.size());
        // margin = 100, the larger side: 300x250 about the hole, grown about its centre to 320x256
        assertEquals(new Region(390, 297, 320, 256, 320, 256), regions.get(0));
        // margin = 64, the minimum: 148x148, grown to 192x192
        assertEquals(new Region(2414, 1414, 192, 192, 192, 192), regions.get(1));
    }

    @Test
    void holesWhoseContextsOverlapAreOneRegion() {
        List<Region> regions = RegionPlanner.plan(
                holes(3000, 2000, new int[] {1000, 1000, 40, 40}, new int[] {1150, 1000, 40, 40}), 512, 64);
        assertEquals(1, regions.size());
        // 570x420 scaled to 512x377, grown to 427 picture rows: 384 at that scale, the bucket of 377
        assertEquals(new Region(1000 - 190, 1000 - 193, 190 * 3, 427, 512, 384), regions.get(0));
    }

    @Test
    void cropsAreClampedToTheImageAndScaledToTheMaxSide() {
        Region r = RegionPlanner.plan(holes(6000, 4000, new int[] {0, 3000, 1200, 1000}), 512, 64).get(0);
        assertEquals(0, r.x());
        assertEquals(1600, r.y()); // 1800 before growing to the bucket of 469 rows, 512, against the bottom edge
        assertEquals(2400, r.width());
        assertEquals(2400, r.height());
        assertEquals(512, r.netWidth());
        assertEquals(512, r.netHeight());
    }

    @Test
    void manySpecksAreGroupedIntoFewRegionsEachWithOnlyItsOwnHoles() {
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
        for (Region a : regions) {
            assertTrue(Math.max(a.netWidth(), a.netHeight()) <= 512);
        }
        assertPastedOnce(holes, regions);
    }

    /** Every hole pixel lies in exactly one region's paste area, which lies inside its crop. */
    private static void assertPastedOnce(HoleMask holes, List<Region> regions) {
        long covered = 0;
        for (Region r : regions) {
            Area p = r.paste();
            assertTrue(p.x() >= r.x() && p.y() >= r.y() && p.x() + p.width() <= r.x() + r.width()
                    && p.y() + p.height() <= r.y() + r.height(), r.toString());
            for (int y = p.y(); y < p.y() + p.height(); y++) {
                for (int x = p.x(); x < p.x() + p.width(); x++) {
                    covered += holes.isHole(x, y) ? 1 : 0;
                }
            }
        }
        assertEquals(holes.count(), covered, "every hole pixel lies in exactly one region's paste area");
    }

    @Test
    void aLongThinHoleIsCutIntoTilesAtFullScaleEachPastingItsOwnCell() {
        // a wire 8 px thick across a 6000x4000 photo: one crop would scale it by 512/6000, under a pixel
        HoleMask holes = holes(6000, 4000, new int[] {100, 2000, 5800, 8});
        List<Region> regions = RegionPlanner.plan(holes, 512, 64);
        // cells of 512 - 2 x 64 = 384 px along 5800: 16 tiles (46,400 hole pixels allow 22)
        assertEquals(16, regions.size());
        for (Region r : regions) {
            assertEquals(r.width(), r.netWidth(), "unscaled: " + r);
            assertEquals(r.height(), r.netHeight(), "unscaled: " + r);
            // 64 px of context above and below, grown to 192, the bucket of 136
            assertEquals(192, r.height(), r.toString());
            assertTrue(r.width() <= 512, r.toString());
        }
        assertEquals(new Region(36, 1908, 512, 192, 512, 192, new Area(100, 2000, 384, 8)), regions.get(0));
        assertPastedOnce(holes, regions);
    }

    @Test
    void tilesAreCoarserWhereTheHoleHasTooFewPixelsForThemAtFullScale() {
        // 2 px thick: 11,600 hole pixels pay for 5 tiles, not the 16 that full scale needs
        HoleMask holes = holes(6000, 4000, new int[] {100, 2000, 5800, 2});
        List<Region> regions = RegionPlanner.plan(holes, 512, 64);
        assertTrue(regions.size() > 1 && regions.size() <= 5, regions.toString());
        double scale = (double) regions.get(0).netWidth() / regions.get(0).width();
        assertTrue(scale < 1 && scale >= 1.5 * 512 / 6000.0, "between one crop's scale and full: " + scale);
        for (Region r : regions) {
            assertTrue(Math.max(r.netWidth(), r.netHeight()) <= 512, r.toString());
        }
        assertPastedOnce(holes, regions);
    }

    @Test
    void tilesTakeAtMostTwentyFourFullPassesOfNetworkPixelsWhateverTheMaximumSide() {
        // a fence on 6000x4000 at a maximum side of 1024: 12 posts and 3 rails 6 px thick, one hole of 363,600
        // pixels; full-scale tiles of 1024 would take 40 cells
        int[][] fence = new int[15][];
        for (int i = 0; i < 12; i++) {
            fence[i] = new int[] {250 + 500 * i, 200, 6, 3600};
        }
        for (int j = 0; j < 3; j++) {
            fence[12 + j] = new int[] {100, 1000 + 1000 * j, 5800, 6};
        }
        HoleMask holes = holes(6000, 4000, fence);
        List<Region> regions = RegionPlanner.plan(holes, 1024, 64);
        long netPixels = 0;
        for (Region r : regions) {
            assertTrue(Math.max(r.netWidth(), r.netHeight()) <= 1024, r.toString());
            netPixels += (long) r.netWidth() * r.netHeight();
        }
        assertTrue(regions.size() > 1, "tiled: " + regions);
        assertTrue(netPixels <= 24L * 512 * 512, netPixels + " network pixels in " + regions.size() + " tiles");
        assertPastedOnce(holes, regions);
    }

    @Test
    void deepHolesAndSpecksKeepTheirSingleCrop() {
        // a 300 px square on 6000x4000, 150 deep: deeper than the network learnt, it keeps its crop
        assertEquals(1, RegionPlanner.plan(holes(6000, 4000, new int[] {2000, 1500, 300, 300}), 512, 64).size());
        // a dotted line across it: its 194 pixels do not pay for a pass of their own
        int[][] dots = new int[194][];
        for (int i = 0; i < dots.length; i++) {
            dots[i] = new int[] {100 + 30 * i, 2000, 1, 1};
        }
        assertEquals(1, RegionPlanner.plan(holes(6000, 4000, dots), 512, 64).size());
    }

    @Test
    void aCropIsNotGrownOverAnotherCropsHoles() {
        // context margin 0: each 4x4 hole gets 4 pixels around it, and growing either to 64 would take in the other
        List<Region> regions = RegionPlanner.plan(
                holes(3000, 2000, new int[] {1000, 1000, 4, 4}, new int[] {1024, 1000, 4, 4}), 512, 0);
        assertEquals(List.of(new Region(996, 996, 12, 12, 12, 12), new Region(1020, 996, 12, 12, 12, 12)), regions);
    }

    @Test
    void cropsFillTheirBucketWithPictureWhereThePictureHasItAndPasteExactlyTheHole() {
        Random random = new Random(16);
        int tiled = 0;
        for (int round = 0; round < 40; round++) {
            int w = 600 + random.nextInt(3000);
            int h = 600 + random.nextInt(3000);
            int[][] rects = new int[1 + random.nextInt(3)][];
            for (int i = 0; i < rects.length; i++) {
                // one in three a thin line across much of the picture, which may be cut into tiles
                boolean line = random.nextInt(3) == 0;
                int rw = line ? w / 2 + random.nextInt(w / 2) : 1 + random.nextInt(w / 2);
                int rh = line ? 1 + random.nextInt(12) : 1 + random.nextInt(h / 2);
                rects[i] = new int[] {random.nextInt(w - rw), random.nextInt(h - rh), rw, rh};
            }
            HoleMask holes = holes(w, h, rects);
            List<Region> regions = RegionPlanner.plan(holes, 512, random.nextInt(200));
            if (rects.length == 1 && regions.size() == 1) {
                Region r = regions.get(0);
                // a side fills its bucket (up to a pixel lost to rounding the scale) unless it spans the picture
                assertTrue(r.width() == w || Buckets.side(r.netWidth()) - r.netWidth() <= 1, r + " in " + w);
                assertTrue(r.height() == h || Buckets.side(r.netHeight()) - r.netHeight() <= 1, r + " in " + h);
            }
            byte[] pixels = new byte[3 * w * h];
            Arrays.fill(pixels, (byte) 0x12);
            for (int i = 0; i < regions.size(); i++) {
                Region r = regions.get(i);
                assertTrue(Math.max(r.netWidth(), r.netHeight()) <= 512, r.toString());
                float[] rgb = new float[3 * r.netWidth() * r.netHeight()];
                Arrays.fill(rgb, 1 + i); // a fill of colour 0x0i0i0i for region i
                Compositor.paste(pixels, w, holes, r, new TileFill(r.netWidth(), r.netHeight(), rgb, null), null, null);
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = pixels[3 * (y * w + x)];
                    if (holes.isHole(x, y)) {
                        int owner = -1;
                        for (int i = 0; i < regions.size() && owner < 0; i++) {
                            Area a = regions.get(i).paste();
                            boolean inside = x >= a.x() && x < a.x() + a.width() && y >= a.y()
                                    && y < a.y() + a.height();
                            owner = inside ? i : -1;
                        }
                        assertEquals(1 + owner, p, "hole pixel " + x + "," + y + " takes its own region's fill");
                    } else {
                        assertEquals(0x12, p, "known pixel " + x + "," + y + " written");
                    }
                }
            }
            assertPastedOnce(holes, regions);
            tiled += regions.stream().anyMatch(r -> !r.paste().equals(new Area(r.x(), r.y(), r.width(), r.height())))
                    ? 1 : 0;
        }
        assertTrue(tiled > 0, "no round cut a line into tiles");
    }
}
