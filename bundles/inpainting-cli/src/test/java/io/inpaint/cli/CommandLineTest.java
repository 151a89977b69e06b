package io.inpaint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inpaint.cli.CommandLine.Bench;
import io.inpaint.cli.CommandLine.Evaluate;
import io.inpaint.cli.CommandLine.Help;
import io.inpaint.cli.CommandLine.Inpaint;
import io.inpaint.cli.CommandLine.InpaintBatch;
import io.inpaint.cli.CommandLine.ProfileCommand;
import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InpaintingOptions.MaskMode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    private static final Path HOME = Path.of("/opt/inpaint");

    private static CommandLine.Command parse(String line) throws UsageException {
        return CommandLine.parse(line.isEmpty() ? new String[0] : line.split(" "), HOME);
    }

    @Test
    void theMinimalInpaintCommandGetsTheDefaults() throws UsageException {
        Inpaint c = (Inpaint) parse("--image a.jpg --mask m.png --out r.png");
        assertEquals(Path.of("a.jpg"), c.image());
        assertEquals(Path.of("m.png"), c.mask());
        assertEquals(Path.of("r.png"), c.out());
        assertNull(c.flow());
        assertEquals("MXNet", c.engine());
        assertEquals(HOME.resolve("models/deepfill-v1/model.json"), c.model());
        assertEquals(InpaintingOptions.defaults().toString(), c.options().toString());
    }

    @Test
    void everyInpaintOptionIsRead() throws UsageException {
        Inpaint c = (Inpaint) parse("--out r.jpg --flow f.png --engine PyTorch --model m/model.json --max-side 256"
                + " --dilate 4 --threshold 10 --mask-mode alpha --image a.jpg --mask m.png");
        assertEquals(Path.of("f.png"), c.flow());
        assertEquals("PyTorch", c.engine());
        assertEquals(Path.of("m/model.json"), c.model());
        InpaintingOptions o = c.options();
        assertEquals(256, o.getMaxSide());
        assertEquals(4, o.getDilate());
        assertEquals(10, o.getThreshold());
        assertEquals(MaskMode.ALPHA, o.getMaskMode());
        assertEquals(true, o.isFlow());
    }

    @Test
    void batchTakesFoldersOrAListAndTheInpaintOptions() throws UsageException {
        InpaintBatch folders = (InpaintBatch) parse("--images in --masks m --out r");
        assertEquals(new InpaintBatch(Path.of("in"), Path.of("m"), null, Path.of("r"), "MXNet",
                HOME.resolve("models/deepfill-v1/model.json"), folders.options()), folders);
        assertEquals(InpaintingOptions.defaults().toString(), folders.options().toString());
        InpaintBatch list = (InpaintBatch) parse("--out r --pairs l.txt --engine pytorch --dilate 3 --mask-mode alpha");
        assertEquals(Path.of("l.txt"), list.pairs());
        assertNull(list.images());
        assertEquals("PyTorch", list.engine());
        assertEquals(3, list.options().getDilate());
        assertEquals(MaskMode.ALPHA, list.options().getMaskMode());
    }

    @Test
    void benchHasDefaultsAndReadsItsOptions() throws UsageException {
        Bench defaults = (Bench) parse("bench");
        assertEquals(List.of("MXNet", "PyTorch"), defaults.engines());
        assertEquals(5, defaults.runs());
        assertEquals(1, defaults.warmup());
        Bench c = (Bench) parse("bench --engines pytorch --runs 3 --warmup 0 --model x.json");
        assertEquals(List.of("PyTorch"), c.engines());
        assertEquals(3, c.runs());
        assertEquals(0, c.warmup());
        assertEquals(Path.of("x.json"), c.model());
    }

    @Test
    void profileTakesTheBenchOptionsWithFewerRuns() throws UsageException {
        assertEquals(new ProfileCommand(List.of("MXNet", "PyTorch"), 3, 1, HOME.resolve("models/deepfill-v1/model.json")),
                parse("profile"));
        assertEquals(new ProfileCommand(List.of("PyTorch"), 5, 0, Path.of("x.json")),
                parse("profile --engines pytorch --runs 5 --warmup 0 --model x.json"));
    }

    @Test
    void evaluateHasDefaultsAndReadsItsOptions() throws UsageException {
        Evaluate defaults = (Evaluate) parse("evaluate --images val --masks center --seed 1 --out report");
        assertEquals(new Evaluate(Path.of("val"), MaskKind.CENTER, 1, Path.of("report"), false, "MXNet",
                HOME.resolve("models/deepfill-v1/model.json"), null, InpaintingOptions.defaults()), defaults);
        Evaluate c = (Evaluate) parse("evaluate --out r --seed -3 --masks Blobs --images v --engine pytorch"
                + " --model m.json --limit 24 --size full --max-side 384");
        assertEquals(new Evaluate(Path.of("v"), MaskKind.BLOBS, -3, Path.of("r"), true, "PyTorch",
                Path.of("m.json"), 24, InpaintingOptions.builder().maxSide(384).build()), c);
        // the product's other options are not the evaluation's to change
        assertThrows(UsageException.class, () -> parse("evaluate --images v --masks center --seed 1 --out r --dilate 4"));
    }

    @Test
    void helpWins() throws UsageException {
        assertInstanceOf(Help.class, parse("--image a.jpg --help"));
        assertInstanceOf(Help.class, parse("bench -h"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "| no arguments given",
        "--image a.jpg --mask m.png | --out is required",
        "--image a.jpg --out r.png | --mask is required",
        "--image a.jpg --mask m.png --out r.gif | --out must end in .png, .jpg or .bmp, got r.gif",
        "--image a.jpg --mask m.png --out r.png --flow f | --flow must end in .png, .jpg or .bmp, got f",
        "--image a.jpg --mask m.png --out r.png --engine onnx | unknown engine onnx; use mxnet or pytorch",
        "--image a.jpg --mask m.png --out r.png --max-side big | --max-side wants a whole number, got big",
        "--image a.jpg --mask m.png --out r.png --max-side 10 | maxSide must be a whole number from 64 to 1024, got '10'",
        "--image a.jpg --mask m.png --out r.png --threshold 300 | threshold must be a whole number from 0 to 254, got '300'",
        "--image a.jpg --mask m.png --out r.png --dilate -1 | dilate must be a whole number from 0 to 1024, got '-1'",
        "--image a.jpg --mask m.png --out r.png --mask-mode red | --mask-mode must be auto, luminance or alpha, got red",
        "--image a.jpg --mask m.png --out r.png --colour red | unknown option --colour",
        "--image a.jpg --mask m.png --out r.png --feather 3 | unknown option --feather",
        "--image a.jpg --image b.jpg | --image given twice",
        "--image | --image needs a value",
        "--image --mask m.png | --image needs a value",
        "photo.jpg | unexpected argument photo.jpg",
        "--images in --out r | --masks is required",
        "--images in --masks m | --out is required",
        "--images in --masks m --out r --flow f.png | unknown option --flow",
        "--images in --masks m --out r --image a.jpg | unknown option --image",
        "--images in --masks ./in --out r | --images and --masks must be different folders",
        "--images in --masks m --out in/ | --out must not be the --images folder: the results would replace the pictures",
        "--pairs l.txt --images in --out r | give either --pairs or --images and --masks, not both",
        "--pairs l.txt --out r --threshold 300 | threshold must be a whole number from 0 to 254, got '300'",
        "bench --runs 0 | --runs must be at least 1, got 0",
        "bench --engines mxnet,tf | unknown engine tf; use mxnet or pytorch",
        "bench --image a.jpg | unknown option --image",
        "profile --image a.jpg | unknown option --image",
        "profile --runs 0 | --runs must be at least 1, got 0",
        "evaluate --masks center --seed 1 --out r | --images is required",
        "evaluate --images v --seed 1 --out r | --masks is required",
        "evaluate --images v --masks center --out r | --seed is required",
        "evaluate --images v --masks center --seed 1 | --out is required",
        "evaluate --images v --masks ring --seed 1 --out r | --masks must be center, boxes, strokes or blobs, got ring",
        "evaluate --images v --masks boxes --seed 1 --out r --size big | --size must be crop or full, got big",
        "evaluate --images v --masks boxes --seed one --out r | --seed wants a whole number, got one",
        "evaluate --images v --masks boxes --seed 1 --out r --limit 0 | --limit must be at least 1, got 0",
        "evaluate --images v --masks boxes --seed 1 --out r --runs 3 | unknown option --runs",
    })
    void mistakesAreUsageErrorsThatSayWhatIsWrong(String line, String message) {
        UsageException e = assertThrows(UsageException.class, () -> parse(line == null ? "" : line.trim()));
        assertEquals(message, e.getMessage());
    }
}
