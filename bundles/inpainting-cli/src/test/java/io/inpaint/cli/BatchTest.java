package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch mode end to end, in this JVM, on the shipped model, with picture files written to a temporary folder. */
class BatchTest {

    private final Cli cli = new Cli();

    private static Path photo(Path file, int width, int height, long seed) throws IOException {
        ImageIO.write(SyntheticPhoto.create(width, height, seed), CommandLine.extension(file), file.toFile());
        return file;
    }

    /** White square hole of a quarter of the width in the middle. */
    private static Path mask(Path file, int width, int height) throws IOException {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(width * 3 / 8, height * 3 / 8, width / 4, width / 4);
        g.dispose();
        ImageIO.write(mask, CommandLine.extension(file), file.toFile());
        return file;
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void goodPairsAreWrittenAndBadOnesReportedWithoutStoppingTheBatch(@TempDir Path dir) throws IOException {
        Path images = Files.createDirectory(dir.resolve("images"));
        Path masks = Files.createDirectory(dir.resolve("masks"));
        Path results = dir.resolve("results");
        // sorted by name: the corrupt file comes first, so the batch must go on after a failure
        Files.write(images.resolve("a-corrupt.png"), "not a picture at all".getBytes(StandardCharsets.US_ASCII));
        mask(masks.resolve("a-corrupt.png"), 64, 48);
        Path good = photo(images.resolve("b-good.png"), 64, 48, 1);
        mask(masks.resolve("b-good.png"), 64, 48);
        photo(images.resolve("c-good.jpg"), 56, 40, 2);
        mask(masks.resolve("c-good.png"), 56, 40);
        photo(images.resolve("d-no-mask.png"), 64, 48, 3);
        Files.writeString(images.resolve("notes.txt"), "not a picture, not in the batch");

        int code = cli.run("--images", images.toString(), "--masks", masks.toString(), "--out", results.toString(),
                "--model", Cli.MODEL.toString());

        String progress = cli.err();
        assertEquals(1, code, progress);
        assertEquals(List.of("b-good.png", "c-good.jpg"), names(results));
        BufferedImage written = ImageIO.read(results.resolve("b-good.png").toFile());
        assertEquals(64, written.getWidth());
        assertEquals(48, written.getHeight());
        assertEquals(ImageIO.read(good.toFile()).getRGB(0, 0), written.getRGB(0, 0));
        assertEquals(56, ImageIO.read(results.resolve("c-good.jpg").toFile()).getWidth());
        assertTrue(progress.contains("[1/4] a-corrupt.png: FAILED: cannot decode image "), progress);
        assertTrue(progress.contains("[2/4] b-good.png: done in "), progress);
        assertTrue(progress.contains("[3/4] c-good.jpg: done in "), progress);
        assertTrue(progress.contains("[4/4] d-no-mask.png: FAILED: no mask with the base name d-no-mask (.png, .jpg or .bmp) in "
                + masks), progress);
        String summary = cli.out();
        assertTrue(summary.matches("(?s)batch: 2 of 4 pictures done, 2 failed \\(a-corrupt.png, d-no-mask.png\\); "
                + "\\d+\\.\\d\\d s a picture done \\(\\d+\\.\\d\\d s in the network\\).*"), summary);
    }

    @Test
    void aListOfPairsIsReadRelativeToItsFolderAndAllDoneExitsWithZero(@TempDir Path dir) throws IOException {
        Path pictures = Files.createDirectory(dir.resolve("pictures"));
        photo(pictures.resolve("one.png"), 48, 48, 4);
        mask(pictures.resolve("one-mask.png"), 48, 48);
        photo(pictures.resolve("two.jpg"), 40, 32, 5);
        mask(pictures.resolve("two-mask.bmp"), 40, 32);
        Path list = Files.writeString(dir.resolve("pairs.txt"), String.join("\n", "# image, tab, mask",
                "pictures/one.png\tpictures/one-mask.png", "", pictures.resolve("two.jpg") + "\tpictures/two-mask.bmp"));
        Path results = dir.resolve("results");

        int code = cli.run("--pairs", list.toString(), "--out", results.toString(), "--model", Cli.MODEL.toString(),
                "--engine", "pytorch");

        assertEquals(0, code, cli.err());
        assertEquals(List.of("one.png", "two.jpg"), names(results));
        assertTrue(cli.out().startsWith("batch: 2 of 2 pictures done, 0 failed; "),
                cli.out());
    }

    @Test
    void aBadLineOfTheListFailsAloneAndAResultIsNeverOverwritten(@TempDir Path dir) throws IOException {
        photo(dir.resolve("one.png"), 48, 48, 6);
        mask(dir.resolve("mask.png"), 48, 48);
        Path other = Files.createDirectory(dir.resolve("other"));
        photo(other.resolve("one.png"), 48, 48, 7);
        Path list = Files.writeString(dir.resolve("pairs.txt"), String.join("\n", "one.png mask.png",
                "one.png\tmask.png", "other/one.png\tmask.png", "missing.png\tmask.png"));
        Path results = dir.resolve("results");

        int code = cli.run("--pairs", list.toString(), "--out", results.toString(), "--model", Cli.MODEL.toString());

        String progress = cli.err();
        assertEquals(1, code, progress);
        assertEquals(List.of("one.png"), names(results));
        assertTrue(progress.contains("[1/4] line 1 of pairs.txt: FAILED: wants IMAGE<tab>MASK, got one.png mask.png"),
                progress);
        assertTrue(progress.contains("[2/4] one.png: done in "), progress);
        assertTrue(progress.contains("[3/4] other/one.png: FAILED: its result " + results.resolve("one.png")
                + " would overwrite that of line 2"), progress);
        assertTrue(progress.contains("[4/4] missing.png: FAILED: cannot read image " + dir.resolve("missing.png")
                + ": no such file"), progress);
        assertTrue(cli.out().startsWith("batch: 1 of 4 pictures done, 3 failed "),
                cli.out());
    }

    @Test
    void aResultThatCannotBeWrittenFailsAloneAndTheProgressKeepsTheBatchOrder(@TempDir Path dir) throws IOException {
        Path images = Files.createDirectory(dir.resolve("images"));
        Path masks = Files.createDirectory(dir.resolve("masks"));
        Path results = Files.createDirectory(dir.resolve("results"));
        for (String name : List.of("a", "b", "c", "d")) {
            photo(images.resolve(name + ".png"), 48, 40, name.charAt(0));
            mask(masks.resolve(name + ".png"), 48, 40);
        }
        // a folder where b's result would go: its write fails after its forward pass, on the writer's thread
        Files.createDirectory(results.resolve("b.png"));

        int code = cli.run("--images", images.toString(), "--masks", masks.toString(), "--out", results.toString(),
                "--model", Cli.MODEL.toString());

        String progress = cli.err();
        assertEquals(1, code, progress);
        assertTrue(Files.isDirectory(results.resolve("b.png")), "b's place is left as it was");
        assertEquals(List.of("a.png", "b.png", "c.png", "d.png"), names(results));
        List<String> lines = progress.lines().filter(l -> l.matches("\\[\\d/4\\] .*")).toList();
        assertEquals(4, lines.size(), progress);
        assertTrue(lines.get(0).startsWith("[1/4] a.png: done in "), progress);
        assertTrue(lines.get(1).startsWith("[2/4] b.png: FAILED: cannot write " + results.resolve("b.png")), progress);
        assertTrue(lines.get(2).startsWith("[3/4] c.png: done in "), progress);
        assertTrue(lines.get(3).startsWith("[4/4] d.png: done in "), progress);
        assertTrue(cli.out().startsWith("batch: 3 of 4 pictures done, 1 failed (b.png); "), cli.out());
    }
}
