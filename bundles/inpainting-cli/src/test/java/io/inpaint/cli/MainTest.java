package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command end to end, in this JVM, on the shipped model. */
class MainTest {
    private static final Path MODEL = Path.of("../../models/deepfill-v1/model.json").toAbsolutePath().normalize();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Path write(BufferedImage picture, Path file) throws IOException {
        ImageIO.write(picture, "png", file.toFile());
        return file;
    }

    private static BufferedImage picture(int w, int h, int holeSide) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean hole = Math.abs(x - w / 2) < holeSide / 2 && Math.abs(y - h / 2) < holeSide / 2;
                image.setRGB(x, y, holeSide == 0 ? (x * 4) << 16 | (y * 4) << 8 | 99 : hole ? 0xffffff : 0);
            }
        }
        return image;
    }

    @Test
    void fillsAPictureAndWritesTheResultAndTheFlowPicture(@TempDir Path dir) throws IOException {
        Path image = write(picture(60, 44, 0), dir.resolve("photo.png"));
        Path mask = write(picture(60, 44, 16), dir.resolve("mask.png"));
        Path result = dir.resolve("result.png");
        Path flow = dir.resolve("flow.png");
        int code = run("--image", image.toString(), "--mask", mask.toString(), "--out", result.toString(),
                "--flow", flow.toString(), "--engine", "mxnet", "--model", MODEL.toString(), "--dilate", "1");
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("filled 289 hole pixels in 1 region(s)"),
                out.toString(StandardCharsets.UTF_8));
        BufferedImage written = ImageIO.read(result.toFile());
        assertEquals(60, written.getWidth());
        assertEquals(44, written.getHeight());
        assertEquals(ImageIO.read(image.toFile()).getRGB(0, 0), written.getRGB(0, 0));
        assertEquals(60, ImageIO.read(flow.toFile()).getWidth());
    }

    @Test
    void badInputExitsWithOneAndTheMessage(@TempDir Path dir) throws IOException {
        Path image = write(picture(60, 44, 0), dir.resolve("photo.png"));
        Path mask = write(picture(44, 60, 16), dir.resolve("mask.png"));
        int code = run("--image", image.toString(), "--mask", mask.toString(), "--out",
                dir.resolve("r.png").toString(), "--model", MODEL.toString());
        assertEquals(1, code);
        assertEquals("inpaint: the mask is 44x60 but the image is 60x44; they must have the same size",
                err.toString(StandardCharsets.UTF_8).trim());
        assertTrue(Files.notExists(dir.resolve("r.png")));
    }

    @Test
    void aMissingModelExitsWithOne(@TempDir Path dir) throws IOException {
        Path image = write(picture(16, 16, 0), dir.resolve("photo.png"));
        Path mask = write(picture(16, 16, 8), dir.resolve("mask.png"));
        int code = run("--image", image.toString(), "--mask", mask.toString(), "--out",
                dir.resolve("r.png").toString(), "--model", dir.resolve("none.json").toString());
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("inpaint: "), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run("--image", "a.jpg"));
        assertEquals("inpaint: --out is required", err.toString(StandardCharsets.UTF_8).lines().findFirst().get());
    }

    @Test
    void helpPrintsTheUsage() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage:"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("inpaint evaluate --images DIR"));
    }
}
