package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command end to end, in this JVM, on the shipped model. */
class MainTest {

    private final Cli cli = new Cli();

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
        int code = cli.run("--image", image.toString(), "--mask", mask.toString(), "--out", result.toString(),
                "--flow", flow.toString(), "--engine", "mxnet", "--model", Cli.MODEL.toString(), "--dilate", "1");
        assertEquals(0, code, cli.err());
        assertTrue(cli.out().startsWith("filled 289 hole pixels in 1 region(s)"),
                cli.out());
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
        int code = cli.run("--image", image.toString(), "--mask", mask.toString(), "--out",
                dir.resolve("r.png").toString(), "--model", Cli.MODEL.toString());
        assertEquals(1, code);
        assertEquals("inpaint: the mask is 44x60 but the image is 60x44; they must have the same size",
                cli.err().trim());
        assertTrue(Files.notExists(dir.resolve("r.png")));
    }

    @Test
    void aMissingModelExitsWithOne(@TempDir Path dir) throws IOException {
        Path image = write(picture(16, 16, 0), dir.resolve("photo.png"));
        Path mask = write(picture(16, 16, 8), dir.resolve("mask.png"));
        int code = cli.run("--image", image.toString(), "--mask", mask.toString(), "--out",
                dir.resolve("r.png").toString(), "--model", dir.resolve("none.json").toString());
        assertEquals(1, code);
        assertTrue(cli.err().startsWith("inpaint: "), cli.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, cli.run("--image", "a.jpg"));
        assertEquals("inpaint: --out is required", cli.err().lines().findFirst().get());
    }

    @Test
    void helpPrintsTheUsage() {
        assertEquals(0, cli.run("--help"));
        assertTrue(cli.out().startsWith("Usage:"));
        assertTrue(cli.out().contains("inpaint evaluate --images DIR"));
    }
}
