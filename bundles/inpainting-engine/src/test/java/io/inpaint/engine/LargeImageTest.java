package io.inpaint.engine;

import io.inpaint.api.InpaintingOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A 6000x4000 JPEG with two small holes, filled with the default options in a child JVM with a 1 GiB heap whose peak
 * resident set (heap plus the engine's native memory) must stay under 2 GiB. One hole's crop fits the network, the
 * other's is scaled down to the default maximum side, 512.
 */
class LargeImageTest {
    private static final int WIDTH = 6000;
    private static final int HEIGHT = 4000;
    private static final long RSS_LIMIT_KIB = 2L * 1024 * 1024;

    @ParameterizedTest
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void aLargePhotoIsFilledInBoundedMemory(String engine, @TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx1g",
                "-Dai.djl.offline=true", "-Djna.tmpdir=" + System.getProperty("jna.tmpdir", dir.toString()),
                "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), engine, InpainterTest.MODEL.toString(), dir.toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, child.exitValue(), output);
        Map<String, String> report = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2) {
                report.put(kv[0].trim(), kv[1].trim());
            }
        }
        assertEquals("0", report.get("knownChanged"), output);
        assertEquals("2", report.get("regions"), output);
        long holes = Long.parseLong(report.get("holes"));
        assertTrue(Long.parseLong(report.get("holeChanged")) > holes / 2, output);
        long peak = Long.parseLong(report.get("VmHWM_KiB"));
        System.out.printf("%s: 6000x4000, peak RSS %d MiB, %s ms in the network%n", engine, peak / 1024,
                report.get("inferenceMillis"));
        assertTrue(peak < RSS_LIMIT_KIB, "peak RSS " + peak / 1024 + " MiB");
    }

    /** Runs in the child JVM: writes the photo and mask, fills through the file API, compares, reports. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            String engine = args[0];
            Path model = Path.of(args[1]);
            Path dir = Path.of(args[2]);
            Path photo = dir.resolve("photo.jpg");
            Path maskFile = dir.resolve("mask.png");
            writePhoto(photo.toFile());
            writeMask(maskFile.toFile());
            InpaintResult result;
            try (Inpainter inpainter = Inpainter.open(model, engine, null)) {
                result = inpainter.inpaint(photo, maskFile, InpaintingOptions.defaults());
            }
            BufferedImage original = Inpainter.readImage(photo);
            BufferedImage mask = Inpainter.readImage(maskFile);
            long knownChanged = 0;
            long holeChanged = 0;
            int[] before = new int[WIDTH];
            int[] after = new int[WIDTH];
            int[] holes = new int[WIDTH];
            for (int y = 0; y < HEIGHT; y++) {
                original.getRGB(0, y, WIDTH, 1, before, 0, WIDTH);
                result.image().getRGB(0, y, WIDTH, 1, after, 0, WIDTH);
                mask.getRaster().getSamples(0, y, WIDTH, 1, 0, holes);
                for (int x = 0; x < WIDTH; x++) {
                    boolean changed = (before[x] & 0xffffff) != (after[x] & 0xffffff);
                    if (holes[x] > 127) {
                        holeChanged += changed ? 1 : 0;
                    } else {
                        knownChanged += changed ? 1 : 0;
                    }
                }
            }
            System.out.println("regions=" + result.regions());
            System.out.println("holes=" + result.holePixels());
            System.out.println("holeChanged=" + holeChanged);
            System.out.println("knownChanged=" + knownChanged);
            System.out.println("inferenceMillis=" + result.inferenceMillis());
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    System.out.println("VmHWM_KiB=" + line.replaceAll("[^0-9]", ""));
                }
            }
        }

        /** Smooth gradients with fine stripes: cheap to make, and a fill is always visibly different. */
        private static void writePhoto(File file) throws IOException {
            BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
            int[] row = new int[WIDTH];
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    int stripes = (x / 3 + y / 5) % 2 * 40;
                    row[x] = (x * 200 / WIDTH + stripes) << 16 | (y * 200 / HEIGHT + stripes) << 8 | 90 + stripes;
                }
                image.setRGB(0, y, WIDTH, 1, row, 0, WIDTH);
            }
            ImageIO.write(image, "jpg", file);
        }

        /** A 60x50 box (its crop fits the network) and a 250x200 box (its crop, about 750 px, is scaled to 512). */
        private static void writeMask(File file) throws IOException {
            BufferedImage mask = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
            Graphics2D g = mask.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(1500, 1000, 60, 50);
            g.fillRect(4300, 2900, 250, 200);
            g.dispose();
            ImageIO.write(mask, "png", file);
        }
    }
}
