package io.inpaint.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import io.inpaint.engine.image.ExifJpeg;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The public API on the shipped model, on both engines. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InpainterTest {
    static final Path MODEL = TestSupport.repositoryRoot().resolve("models/deepfill-v1/model.json");
    /** How far inside the hole's edge the halo tests look, in pixels. */
    private static final int EDGE = 4;
    private static final int WHITE = 0xffffff;
    private static final int MAGENTA = 0xff00ff;

    private final Map<String, Inpainter> inpainters = new HashMap<>();

    @BeforeAll
    void open() {
        TestSupport.engines().forEach(e -> inpainters.put(e, Inpainter.open(MODEL, e, null)));
    }

    @AfterAll
    void close() {
        inpainters.values().forEach(Inpainter::close);
    }

    /** A textured picture (not flat, so a fill is visibly different from the original). */
    static BufferedImage photo(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / Math.max(1, w - 1)) ^ (y & 16);
                int g = (y * 255 / Math.max(1, h - 1)) ^ (x & 8) * 4;
                int b = 128 + (int) (100 * Math.sin((x + 2 * y) / 5.0));
                image.setRGB(x, y, (r & 0xff) << 16 | (g & 0xff) << 8 | b);
            }
        }
        return image;
    }

    /** White rectangles on black. */
    static BufferedImage mask(int w, int h, int[]... rects) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        for (int[] r : rects) {
            g.fillRect(r[0], r[1], r[2], r[3]);
        }
        g.dispose();
        return mask;
    }

    /** Asserts the result is RGB of the input's size, identical outside {@code hole} and changed inside it. */
    static void assertFilled(BufferedImage input, BufferedImage result, boolean[][] hole) {
        assertEquals(input.getWidth(), result.getWidth());
        assertEquals(input.getHeight(), result.getHeight());
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, result.getType());
        int changed = 0;
        int holes = 0;
        for (int y = 0; y < input.getHeight(); y++) {
            for (int x = 0; x < input.getWidth(); x++) {
                int before = input.getRGB(x, y) & 0xffffff;
                int after = result.getRGB(x, y) & 0xffffff;
                if (hole[y][x]) {
                    holes++;
                    changed += before != after ? 1 : 0;
                } else if (before != after) {
                    throw new AssertionError("known pixel " + x + "," + y + " changed from "
                            + Integer.toHexString(before) + " to " + Integer.toHexString(after));
                }
            }
        }
        assertTrue(changed > holes / 2, changed + " of " + holes + " hole pixels changed");
    }

    static boolean[][] holes(BufferedImage mask) {
        boolean[][] hole = new boolean[mask.getHeight()][mask.getWidth()];
        for (int y = 0; y < mask.getHeight(); y++) {
            for (int x = 0; x < mask.getWidth(); x++) {
                hole[y][x] = (mask.getRGB(x, y) & 0xff) > 127;
            }
        }
        return hole;
    }

    static Stream<Arguments> enginesAndSizes() {
        List<int[]> sizes = List.of(new int[] {64, 64}, new int[] {37, 53}, new int[] {100, 60},
                new int[] {23, 90}, new int[] {129, 71});
        return TestSupport.engines().flatMap(e -> sizes.stream().map(s -> Arguments.of(e, s[0], s[1])));
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("enginesAndSizes")
    void resultHasTheInputSizeAndKnownPixelsAreUntouched(String engine, int w, int h) {
        BufferedImage image = photo(w, h, BufferedImage.TYPE_3BYTE_BGR);
        // one hole inside, one touching the right border
        BufferedImage mask = mask(w, h, new int[] {w / 4, h / 4, w / 3, h / 3}, new int[] {w - 5, h / 2, 5, 7});
        InpaintResult result = inpainters.get(engine).inpaint(image, mask, InpaintingOptions.defaults());
        assertFilled(image, result.image(), holes(mask));
        assertEquals(1, result.regions());
        assertEquals((long) (w / 3) * (h / 3) + 35, result.holePixels());
        assertTrue(result.flow().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void sizeMismatchIsRejectedWithBothSizes(String engine) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> inpainters.get(engine)
                .inpaint(photo(64, 48, BufferedImage.TYPE_INT_RGB), mask(48, 64, new int[] {1, 1, 9, 9}),
                        InpaintingOptions.defaults()));
        assertEquals("the mask is 48x64 but the image is 64x48; they must have the same size", e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void anEmptyMaskIsRejected(String engine) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> inpainters.get(engine)
                .inpaint(photo(32, 32, BufferedImage.TYPE_INT_RGB), mask(32, 32), InpaintingOptions.defaults()));
        assertTrue(e.getMessage().startsWith("the mask marks no hole pixels (mask mode AUTO, threshold 127)"),
                e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void aTransparentMaskIsReadByAlphaAndLuminanceIgnoresIt(String engine) {
        BufferedImage image = photo(48, 40, BufferedImage.TYPE_INT_RGB);
        // black, opaque brush strokes on a transparent layer: invisible to luminance, the hole by alpha
        BufferedImage brush = new BufferedImage(48, 40, BufferedImage.TYPE_INT_ARGB);
        boolean[][] hole = new boolean[40][48];
        for (int y = 10; y < 22; y++) {
            for (int x = 12; x < 30; x++) {
                brush.setRGB(x, y, 0xff000000);
                hole[y][x] = true;
            }
        }
        Inpainter inpainter = inpainters.get(engine);
        for (MaskMode mode : new MaskMode[] {MaskMode.AUTO, MaskMode.ALPHA}) {
            InpaintResult result = inpainter.inpaint(image, brush, InpaintingOptions.builder().maskMode(mode).build());
            assertEquals(12 * 18, result.holePixels());
            assertFilled(image, result.image(), hole);
        }
        InpaintingOptions luminance = InpaintingOptions.builder().maskMode(MaskMode.LUMINANCE).build();
        assertThrows(InvalidInputException.class, () -> inpainter.inpaint(image, brush, luminance));
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void dilationGrowsTheFilledArea(String engine) {
        BufferedImage image = photo(64, 48, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = mask(64, 48, new int[] {20, 16, 10, 8});
        InpaintResult result = inpainters.get(engine).inpaint(image, mask,
                InpaintingOptions.builder().dilate(3).build());
        assertEquals(16L * 14, result.holePixels());
        assertFilled(image, result.image(), holes(mask(64, 48, new int[] {17, 13, 16, 14})));
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void theFlowPictureHasTheImageSizeAndIsWhiteOutsideTheHole(String engine) {
        BufferedImage image = photo(72, 56, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = mask(72, 56, new int[] {24, 16, 24, 24});
        BufferedImage flow = inpainters.get(engine)
                .inpaint(image, mask, InpaintingOptions.builder().flow(true).build()).flow().orElseThrow();
        assertEquals(72, flow.getWidth());
        assertEquals(56, flow.getHeight());
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 72; x++) {
                // hole cells are the 8x8 cells whose top-left pixel is hole: x 24..47, y 16..39
                if (x < 24 || x >= 48 || y < 16 || y >= 40) {
                    assertEquals(0xffffff, flow.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void aLargerImageIsFilledRegionByRegion(String engine) {
        BufferedImage image = photo(420, 300, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage mask = mask(420, 300, new int[] {30, 40, 20, 16}, new int[] {300, 200, 60, 70});
        InpaintResult result = inpainters.get(engine).inpaint(image, mask,
                InpaintingOptions.builder().maxSide(128).contextMargin(32).flow(true).build());
        assertEquals(2, result.regions());
        assertFilled(image, result.image(), holes(mask));
        BufferedImage flow = result.flow().orElseThrow();
        assertEquals(0xffffff, flow.getRGB(200, 150) & 0xffffff);
        assertEquals(420, flow.getWidth());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void aLongThinHoleOnALargePictureIsFilledTileByTile(String engine) {
        BufferedImage image = photo(1600, 240, BufferedImage.TYPE_3BYTE_BGR);
        // a wire 12 px thick: one crop would see it at 128/1600 of its size, the tiles at 0.41
        BufferedImage wire = mask(1600, 240, new int[] {50, 110, 1500, 12});
        InpaintResult result = inpainters.get(engine).inpaint(image, wire,
                InpaintingOptions.builder().maxSide(128).contextMargin(16).build());
        assertEquals(7, result.regions());
        assertEquals(7, result.passes());
        assertFilled(image, result.image(), holes(wire));
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void aHoleDeeperThanTheNetworkLearntGetsASecondSmallerPass(String engine) {
        BufferedImage image = photo(480, 360, BufferedImage.TYPE_3BYTE_BGR);
        // 200 px across: 100 deep, beyond the training boxes' 64
        BufferedImage deep = mask(480, 360, new int[] {140, 80, 200, 200});
        InpaintResult result = inpainters.get(engine).inpaint(image, deep, InpaintingOptions.defaults());
        assertEquals(1, result.regions());
        assertEquals(2, result.passes());
        assertFilled(image, result.image(), holes(deep));
        // 120 px across: 60 deep, one pass
        BufferedImage shallow = mask(480, 360, new int[] {180, 120, 120, 120});
        assertEquals(1, inpainters.get(engine).inpaint(image, shallow, InpaintingOptions.defaults()).passes());
    }

    /**
     * What a service reserves before sampling ({@link Inpainter.Plan#heapBytes}) covers what sampling allocates: the
     * tiles of a long hole, and a deep hole's tile with its second pass (measured as this thread's allocations, which
     * the held arrays are part of), and is not far above it.
     */
    @org.junit.jupiter.api.Test
    void thePlansHeapEstimateCoversTheTilesItPrepares() {
        BufferedImage wideImage = photo(1600, 240, BufferedImage.TYPE_3BYTE_BGR);
        assertEstimateCovers(Inpainter.plan(wideImage, mask(1600, 240, new int[] {50, 110, 1500, 12}),
                InpaintingOptions.builder().maxSide(128).contextMargin(16).build()), 7);
        BufferedImage image = photo(480, 360, BufferedImage.TYPE_3BYTE_BGR);
        assertEstimateCovers(Inpainter.plan(image, mask(480, 360, new int[] {140, 80, 200, 200}),
                InpaintingOptions.defaults()), 1);
    }

    private static void assertEstimateCovers(Inpainter.Plan plan, int regions) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assertEquals(regions, plan.regions().size());
        long before = threads.getCurrentThreadAllocatedBytes();
        Inpainter.Prepared prepared = Inpainter.prepare(plan);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(prepared.passes().size() >= regions);
        assertTrue(allocated <= plan.heapBytes(), allocated + " bytes allocated, " + plan.heapBytes() + " planned");
        assertTrue(plan.heapBytes() <= 6 * allocated, allocated + " bytes allocated, " + plan.heapBytes() + " planned");
    }

    /**
     * Holes painted over as a user's mask covers an object: in the middle of a photo larger than the default max side
     * (scaled), in its bottom-right corner like a watermark (scaled, and the corner's copies pad the network's input
     * to its bucket), and in the corner of a picture that fits as it is (padded only). The fill may show nothing of
     * the paint. White: hole pixels near the edge are not brighter than the brightest known pixels around them;
     * magenta: not more magenta, and the colour itself appears nowhere. Both paints must give the very same result,
     * which is what rules out any share of the paint; the edge checks say what a halo would look like.
     */
    static Stream<Arguments> enginesAndPaintedHoles() {
        List<int[]> cases = List.of(new int[] {640, 400, 220, 130, 200, 140}, new int[] {640, 400, 500, 310, 140, 90},
                new int[] {300, 200, 230, 150, 70, 50});
        return TestSupport.engines().flatMap(e -> cases.stream().map(c -> Arguments.of(e, c)));
    }

    @ParameterizedTest(name = "{0}, case {index}")
    @MethodSource("enginesAndPaintedHoles")
    void aFillShowsNothingOfWhatThePaintedHoleHeld(String engine, int[] c) {
        int w = c[0];
        int h = c[1];
        BufferedImage mask = mask(w, h, new int[] {c[2], c[3], c[4], c[5]});
        boolean[][] hole = holes(mask);
        Map<Integer, int[]> results = new HashMap<>();
        for (int paint : new int[] {WHITE, MAGENTA}) {
            BufferedImage image = paint(smoothPhoto(w, h), hole, paint);
            InpaintResult result = inpainters.get(engine).inpaint(image, mask, InpaintingOptions.defaults());
            assertEquals(1, result.regions());
            assertFilled(image, result.image(), hole);
            results.put(paint, pixels(result.image()));
        }
        assertNoHaloAtTheHoleEdge(results.get(WHITE), w, hole, WHITE, InpainterTest::luma);
        assertNoHaloAtTheHoleEdge(results.get(MAGENTA), w, hole, MAGENTA, InpainterTest::magentaness);
        for (int p : results.get(MAGENTA)) {
            int dr = (p >> 16 & 0xff) - 255;
            int dg = p >> 8 & 0xff;
            int db = (p & 0xff) - 255;
            assertTrue(dr * dr + dg * dg + db * db > 64 * 64, "magenta in the result: " + Integer.toHexString(p));
        }
        assertArrayEquals(results.get(WHITE), results.get(MAGENTA), "the hole's paint changed the result");
    }

    /** Soft gradients with mild noise in mid tones: a share of white or magenta paint stands out anywhere. */
    static BufferedImage smoothPhoto(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random noise = new Random(13);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int n = noise.nextInt(9) - 4;
                int r = 70 + 60 * x / w + n;
                int g = 90 + 40 * y / h + (int) (15 * Math.sin(x / 37.0)) + n;
                int b = 110 - 30 * y / h + n;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    private static BufferedImage paint(BufferedImage image, boolean[][] hole, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (hole[y][x]) {
                    image.setRGB(x, y, rgb);
                }
            }
        }
        return image;
    }

    private static double luma(int p) {
        return 0.299 * (p >> 16 & 0xff) + 0.587 * (p >> 8 & 0xff) + 0.114 * (p & 0xff);
    }

    private static double magentaness(int p) {
        return ((p >> 16 & 0xff) + (p & 0xff)) / 2.0 - (p >> 8 & 0xff);
    }

    /**
     * Every hole pixel within {@value #EDGE} px of a known pixel measures less than the largest measure of the known
     * pixels within twice that distance (chessboard), plus a quarter of the paint's lead over them: a pixel holding a
     * quarter of the paint (the old feather's lightest share) would reach it, while the model's own error stays below.
     */
    static void assertNoHaloAtTheHoleEdge(int[] result, int w, boolean[][] hole, int paint,
            IntToDoubleFunction measure) {
        int h = hole.length;
        int reach = 2 * EDGE;
        int edgePixels = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!hole[y][x]) {
                    continue;
                }
                boolean edge = false;
                double brightest = Double.NEGATIVE_INFINITY;
                for (int ny = Math.max(0, y - reach); ny <= Math.min(h - 1, y + reach); ny++) {
                    for (int nx = Math.max(0, x - reach); nx <= Math.min(w - 1, x + reach); nx++) {
                        if (!hole[ny][nx]) {
                            brightest = Math.max(brightest, measure.applyAsDouble(result[ny * w + nx]));
                            edge |= Math.abs(nx - x) <= EDGE && Math.abs(ny - y) <= EDGE;
                        }
                    }
                }
                if (edge) {
                    edgePixels++;
                    double value = measure.applyAsDouble(result[y * w + x]);
                    double limit = brightest + (measure.applyAsDouble(paint) - brightest) / 4;
                    assertTrue(value < limit, "hole pixel " + x + "," + y + " measures " + value
                            + ", its known neighbours at most " + brightest + ", limit " + limit);
                }
            }
        }
        assertTrue(edgePixels > 0, "the hole has an edge");
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void filesAreReadUprightByTheirExifOrientation(String engine, @TempDir Path dir) throws IOException {
        BufferedImage stored = photo(40, 24, BufferedImage.TYPE_3BYTE_BGR);
        Path jpeg = dir.resolve("photo.jpg");
        Files.write(jpeg, ExifJpeg.encode(stored, 6)); // shown rotated: 24 wide, 40 high
        Path maskFile = dir.resolve("mask.png");
        ImageIO.write(mask(24, 40, new int[] {6, 10, 10, 12}), "png", maskFile.toFile());
        InpaintResult result = inpainters.get(engine).inpaint(jpeg, maskFile, InpaintingOptions.defaults());
        assertFilled(Inpainter.readImage(jpeg), result.image(), holes(mask(24, 40, new int[] {6, 10, 10, 12})));

        Path wrongWay = dir.resolve("wrong-way.png");
        ImageIO.write(mask(40, 24, new int[] {6, 10, 10, 12}), "png", wrongWay.toFile());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> inpainters.get(engine).inpaint(jpeg, wrongWay, InpaintingOptions.defaults()));
        assertEquals("the mask is 40x24 but the image is 24x40; they must have the same size", e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void unreadableFilesAreInvalidInput(String engine, @TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("photo.png"), "not a picture");
        Path missing = dir.resolve("missing.png");
        Inpainter inpainter = inpainters.get(engine);
        InvalidInputException bad = assertThrows(InvalidInputException.class,
                () -> inpainter.inpaint(text, text, InpaintingOptions.defaults()));
        assertTrue(bad.getMessage().startsWith("cannot decode image " + text), bad.getMessage());
        InvalidInputException gone = assertThrows(InvalidInputException.class,
                () -> inpainter.inpaint(missing, missing, InpaintingOptions.defaults()));
        assertEquals("cannot read image " + missing + ": no such file", gone.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void concurrentRequestsGetTheSameResultsAsSequentialOnes(String engine) throws Exception {
        Inpainter inpainter = inpainters.get(engine);
        BufferedImage[] images = {
            photo(64, 48, BufferedImage.TYPE_INT_RGB), photo(48, 64, BufferedImage.TYPE_INT_RGB)};
        BufferedImage[] masks = {mask(64, 48, new int[] {8, 8, 20, 20}), mask(48, 64, new int[] {20, 30, 16, 16})};
        int[][] sequential = new int[2][];
        for (int i = 0; i < 2; i++) {
            sequential[i] = pixels(inpainter.inpaint(images[i], masks[i], InpaintingOptions.defaults()).image());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                int i = round % 2;
                futures.add(pool.submit(
                        () -> pixels(inpainter.inpaint(images[i], masks[i], InpaintingOptions.defaults()).image())));
            }
            for (int round = 0; round < 4; round++) {
                assertArrayEquals(sequential[round % 2], futures.get(round).get());
            }
        } finally {
            pool.shutdown();
        }
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void aClosedInpainterRefusesWork(String engine) {
        Inpainter inpainter = Inpainter.open(MODEL, engine, null);
        inpainter.close();
        inpainter.close();
        assertThrows(IllegalStateException.class, () -> inpainter.inpaint(photo(16, 16, BufferedImage.TYPE_INT_RGB),
                mask(16, 16, new int[] {4, 4, 4, 4}), InpaintingOptions.defaults()));
    }
}
