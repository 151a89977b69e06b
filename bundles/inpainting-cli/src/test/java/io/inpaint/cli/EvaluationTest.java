package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inpaint evaluate} end to end, in this JVM, on the shipped model. */
class EvaluationTest {
    private static final List<String> METHODS = List.of("model", "telea", "navier-stokes", "mean-colour");

    private final Cli cli = new Cli();

    @Test
    void writesTheReportTheContactSheetAndTheTable(@TempDir Path dir) throws IOException {
        Path images = Files.createDirectory(dir.resolve("images"));
        ImageIO.write(SyntheticPhoto.create(384, 256, 1), "png", images.resolve("b.png").toFile());
        ImageIO.write(SyntheticPhoto.create(300, 400, 2), "jpg", images.resolve("a.jpg").toFile());
        ImageIO.write(SyntheticPhoto.create(256, 256, 3), "png", images.resolve("c.png").toFile());
        Files.writeString(images.resolve("notes.txt"), "not a picture");
        Path report = dir.resolve("report");

        int code = cli.run("evaluate", "--images", images.toString(), "--masks", "strokes", "--seed", "4", "--out",
                report.toString(), "--model", Cli.MODEL.toString(), "--limit", "2");

        assertEquals(0, code, cli.err());
        String table = cli.out();
        assertTrue(table.contains("Means over 2 pictures."), table);
        assertTrue(table.contains("Telea r=5") && table.contains("hole l1 %") && table.contains("model / Telea"),
                table);
        JsonObject json = JsonParser.parseString(Files.readString(report.resolve("report.json"))).getAsJsonObject();
        assertEquals("strokes", json.getAsJsonObject("config").get("masks").getAsString());
        assertEquals(2, json.getAsJsonObject("config").get("pictures").getAsInt());
        JsonArray perImage = json.getAsJsonArray("images");
        assertEquals(List.of("a.jpg", "b.png"),
                perImage.asList().stream().map(i -> i.getAsJsonObject().get("name").getAsString()).toList());
        for (String method : METHODS) {
            for (Metric metric : Metric.values()) {
                assertTrue(json.getAsJsonObject("means").getAsJsonObject(method).has(metric.key), method + metric);
                assertTrue(perImage.get(1).getAsJsonObject().getAsJsonObject("methods").getAsJsonObject(method)
                        .has(metric.key), method + metric);
            }
        }
        assertTrue(json.getAsJsonObject("holeL1").get("modelToTelea").getAsDouble() > 0);
        BufferedImage sheet = ImageIO.read(report.resolve("contact-sheet.png").toFile());
        assertEquals(ContactSheet.width(METHODS.size(), MaskKind.SIDE), sheet.getWidth());
        assertEquals(ContactSheet.height(MaskKind.SIDE, MaskKind.SIDE), sheet.getHeight());
    }

    @Test
    void atFullSizeEachPictureIsMeasuredAtItsOwnSize(@TempDir Path dir) throws IOException {
        Path images = Files.createDirectory(dir.resolve("images"));
        ImageIO.write(SyntheticPhoto.create(640, 400, 1), "png", images.resolve("wide.png").toFile());
        ImageIO.write(SyntheticPhoto.create(300, 560, 2), "png", images.resolve("tall.png").toFile());
        Path report = dir.resolve("report");

        int code = cli.run("evaluate", "--images", images.toString(), "--masks", "blobs", "--seed", "2", "--out",
                report.toString(), "--model", Cli.MODEL.toString(), "--size", "full");

        assertEquals(0, code, cli.err());
        JsonObject json = JsonParser.parseString(Files.readString(report.resolve("report.json"))).getAsJsonObject();
        assertEquals("full", json.getAsJsonObject("config").get("size").getAsString());
        JsonObject tall = json.getAsJsonArray("images").get(0).getAsJsonObject();
        assertEquals(List.of("tall.png", 300, 560), List.of(tall.get("name").getAsString(),
                tall.get("width").getAsInt(), tall.get("height").getAsInt()));
        assertTrue(tall.get("groundTruthSeam").getAsDouble() > 0);
        assertTrue(json.getAsJsonObject("means").getAsJsonObject("model").has(Metric.SEAM.key));
        BufferedImage sheet = ImageIO.read(report.resolve("contact-sheet.png").toFile());
        assertEquals(ContactSheet.width(METHODS.size(), 640), sheet.getWidth());
        assertEquals(ContactSheet.height(560, 400), sheet.getHeight());
    }

    @Test
    void aFolderWithoutPicturesExitsWithOne(@TempDir Path dir) {
        int code = cli.run("evaluate", "--images", dir.toString(), "--masks", "center", "--seed", "1", "--out",
                dir.resolve("r").toString(), "--model", Cli.MODEL.toString());
        assertEquals(1, code);
        assertEquals("inpaint: there are no .jpg or .png pictures in " + dir,
                cli.err().trim());
    }

    @Test
    void aPictureTooSmallExitsWithOneAndNamesIt(@TempDir Path dir) throws IOException {
        Path small = dir.resolve("small.png");
        ImageIO.write(SyntheticPhoto.create(300, 200, 1), "png", small.toFile());
        int code = cli.run("evaluate", "--images", dir.toString(), "--masks", "center", "--seed", "1", "--out",
                dir.resolve("r").toString(), "--model", Cli.MODEL.toString());
        assertEquals(1, code);
        assertEquals("inpaint: " + small + ": the picture is 300x200; it needs at least 256 pixels on each side",
                cli.err().trim());
    }
}
