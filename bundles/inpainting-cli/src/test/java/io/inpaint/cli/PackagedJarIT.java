package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged jar as the inpaint script runs it: only the manifest's class path, in a JVM of its own. Catches a
 * dependency missing from target/lib, which the in-JVM tests cannot see.
 */
class PackagedJarIT {
    private static final Path JAR = Path.of("target/inpainting-cli.jar").toAbsolutePath();

    @ParameterizedTest
    @ValueSource(strings = {"mxnet", "pytorch"})
    void theJarFillsAPictureOnEachEngine(String engine, @TempDir Path dir) throws Exception {
        BufferedImage image = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = new BufferedImage(48, 40, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 48; x++) {
                image.setRGB(x, y, (x * 5) << 16 | (y * 6) << 8 | 80);
                mask.getRaster().setSample(x, y, 0, x >= 16 && x < 32 && y >= 12 && y < 28 ? 255 : 0);
            }
        }
        Path photo = dir.resolve("photo.png");
        Path maskFile = dir.resolve("mask.png");
        Path result = dir.resolve("result.png");
        ImageIO.write(image, "png", photo.toFile());
        ImageIO.write(mask, "png", maskFile.toFile());

        String cache = System.getProperty("inpaint.djlCache");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-jar", JAR.toString(), "--image", photo.toString(), "--mask",
                maskFile.toString(), "--out", result.toString(), "--engine", engine, "--model", Cli.MODEL.toString()));
        Map<String, String> env = pb.environment();
        env.put("DJL_OFFLINE", "true");
        env.put("DJL_CACHE_DIR", cache);
        env.put("ENGINE_CACHE_DIR", cache);
        pb.redirectErrorStream(true);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the jar did not finish");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("filled 256 hole pixels in 1 region(s)"), output);
        BufferedImage written = ImageIO.read(result.toFile());
        assertEquals(48, written.getWidth());
        assertEquals(image.getRGB(0, 0) & 0xffffff, written.getRGB(0, 0) & 0xffffff);
    }
}
