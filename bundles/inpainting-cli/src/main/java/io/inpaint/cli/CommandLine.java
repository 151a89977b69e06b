package io.inpaint.cli;

import io.inpaint.api.InpaintingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parses the arguments of {@code inpaint} into one of its commands. */
final class CommandLine {
    static final String USAGE = String.join(System.lineSeparator(),
            "Usage:",
            "  inpaint --image FILE --mask FILE --out FILE [options]",
            "  inpaint --images DIR --masks DIR --out DIR [options except --flow]",
            "  inpaint --pairs FILE --out DIR [options except --flow]",
            "  inpaint bench [--engines mxnet,pytorch] [--runs N] [--warmup N] [--model FILE]",
            "  inpaint profile [--engines mxnet,pytorch] [--runs N] [--warmup N] [--model FILE]",
            "  inpaint evaluate --images DIR --masks center|boxes|strokes|blobs --seed N --out DIR",
            "                   [--size crop|full] [--engine mxnet|pytorch] [--model FILE] [--limit N] [--max-side N]",
            "  inpaint --help",
            "",
            "Options for filling a hole:",
            "  --flow FILE        also write the attention-offset picture (PNG)",
            "  --engine NAME      mxnet or pytorch (default mxnet)",
            "  --model FILE       model descriptor (default models/deepfill-v1/model.json)",
            "  --max-side N       largest side, in pixels, the network sees (" + InpaintingOptions.MAX_SIDE_MIN + ".."
                    + InpaintingOptions.MAX_SIDE_MAX + ", default 512)",
            "  --dilate N         grow the hole by N pixels (default 0)",
            "  --threshold T      mask luminance above T (" + InpaintingOptions.THRESHOLD_MIN + ".."
                    + InpaintingOptions.THRESHOLD_MAX + ") is hole (default 127)",
            "  --mask-mode MODE   auto, luminance or alpha (default auto: alpha if the mask is transparent)",
            "The output format follows the extension of --out: png, jpg or bmp.",
            "",
            "Batch: many pictures in one run, the model loaded once. With --images and --masks, every .png, .jpg,",
            "and .bmp picture of --images is filled with the mask of the same base name in --masks (photo.jpg takes",
            "photo.png, photo.jpg or photo.bmp there); with --pairs, each line of FILE is IMAGE<tab>MASK (relative",
            "paths from FILE's folder; blank lines and lines starting with # are skipped). Each result is written",
            "to --out (created if missing) under its image's file name. A picture that fails (no mask, unreadable,",
            "sizes differ, no hole) is reported on stderr and skipped; progress goes to stderr, the summary (done,",
            "failed, seconds a picture) to stdout; the exit code is 1 if any picture failed.",
            "",
            "bench measures each engine (default both) on 256x256, 512x512 and 1024x1024 pictures with a centred",
            "square hole of a quarter of the side, and a 4000x3000 photo with a 5 % elliptic hole: median latency of",
            "--runs requests (default 5) after --warmup requests (default 1), peak RSS and peak heap, with JMH.",
            "Each figure is also set against its floor: the network's matrix-product work in that request (GFLOP,",
            "counted from the layer table) at the engine's fp32 matrix-product rate, which bench measures first",
            "(best of a few 2048x2048 products); 'x floor' is the median over the floor.",
            "",
            "profile runs the network alone at 256x256 and 512x512 with a centred square hole on each engine, as",
            "the product runs it (rows out of the hole's reach left out), --runs times (default 3) after --warmup",
            "passes (default 1), and prints the median time of each layer group (convolutions, attention matching,",
            "fuse, softmax and argmax, reconstruction, the rest), its share, and for the matrix-product groups the",
            "work they did, its floor and the ratio to it; a last line sets the pass against the whole network's",
            "work; with the load average, as other processes skew every figure.",
            "",
            "evaluate compares the model with OpenCV's Telea and Navier-Stokes inpainting (radius 5) and a",
            "mean-colour fill on the .jpg and .png pictures of --images (sorted by name, the first --limit of them):",
            "with --size crop (default) the 256x256 middle of each (short side scaled to 256 first), with --size full",
            "the picture at its own size, where the model takes the product's path (regions, scaling, paste), with a",
            "hole of the --masks kind drawn from --seed (center: the paper's centred 128x128 square; boxes: a random",
            "box of up to 128x128; strokes: free-form brush strokes and a box; blobs: one or two object-like shapes;",
            "at full size every length scaled by the short side over 256). It prints hole l1, l1, l2, PSNR, SSIM, TV",
            "and the seam excess per method and writes report.json and contact-sheet.png into --out.");

    private static final Map<String, String> ENGINES = Map.of("mxnet", "MXNet", "pytorch", "PyTorch");
    /** What the results can be written as; batch mode also takes its pictures by these extensions. */
    static final Set<String> OUTPUT_FORMATS = Set.of("png", "jpg", "jpeg", "bmp");
    private static final Set<String> INPAINT_FLAGS = Set.of("--image", "--mask", "--out", "--flow", "--engine",
            "--model", "--max-side", "--dilate", "--threshold", "--mask-mode");
    private static final Set<String> BATCH_FLAGS = Set.of("--images", "--masks", "--pairs", "--out", "--engine",
            "--model", "--max-side", "--dilate", "--threshold", "--mask-mode");
    private static final Set<String> BENCH_FLAGS = Set.of("--engines", "--runs", "--warmup", "--model");
    private static final Set<String> EVALUATE_FLAGS = Set.of("--images", "--masks", "--seed", "--out", "--size",
            "--engine", "--model", "--limit", "--max-side");

    private CommandLine() {
    }

    sealed interface Command permits Help, Inpaint, InpaintBatch, Bench, ProfileCommand, Evaluate {
    }

    record Help() implements Command {
    }

    /** {@code engine} is the DJL engine name. */
    record Inpaint(Path image, Path mask, Path out, Path flow, String engine, Path model, InpaintingOptions options)
            implements Command {
    }

    /**
     * Either {@code images} and {@code masks} (folders) or {@code pairs} (a list file) is set, the other null;
     * {@code out} is a folder; {@code engine} is the DJL engine name.
     */
    record InpaintBatch(Path images, Path masks, Path pairs, Path out, String engine, Path model,
            InpaintingOptions options) implements Command {
    }

    /** {@code engines} are DJL engine names, in the order given. */
    record Bench(List<String> engines, int runs, int warmup, Path model) implements Command {
    }

    /** {@code engines} are DJL engine names, in the order given. */
    record ProfileCommand(List<String> engines, int runs, int warmup, Path model) implements Command {
    }

    /**
     * {@code fullSize}: the pictures at their own size rather than their 256x256 middle; {@code engine} is the DJL
     * engine name; {@code limit} is null when every picture is evaluated; {@code options} are the product's (the
     * defaults but for {@code --max-side}).
     */
    record Evaluate(Path images, MaskKind masks, int seed, Path out, boolean fullSize, String engine, Path model,
            Integer limit, InpaintingOptions options) implements Command {
    }

    /**
     * @param home where the default model is looked up (the installation), normally the working directory
     */
    static Command parse(String[] args, Path home) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no arguments given");
        }
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            return new Help();
        }
        boolean profile = args[0].equals("profile");
        boolean bench = profile || args[0].equals("bench");
        boolean evaluate = args[0].equals("evaluate");
        boolean batch = !bench && !evaluate
                && (List.of(args).contains("--images") || List.of(args).contains("--pairs"));
        Map<String, String> flags = flags(args, bench || evaluate ? 1 : 0,
                bench ? BENCH_FLAGS : evaluate ? EVALUATE_FLAGS : batch ? BATCH_FLAGS : INPAINT_FLAGS);
        Path model = Path.of(flags.getOrDefault("--model",
                home.resolve("models/deepfill-v1/model.json").toString()));
        if (evaluate) {
            String limit = flags.get("--limit");
            return new Evaluate(Path.of(required(flags, "--images")), masks(required(flags, "--masks")),
                    number("--seed", required(flags, "--seed")), Path.of(required(flags, "--out")),
                    fullSize(flags.getOrDefault("--size", "crop")), engine(flags.getOrDefault("--engine", "mxnet")),
                    model,
                    limit == null ? null : atLeast("--limit", number("--limit", limit), 1), options(flags));
        }
        if (bench) {
            List<String> engines = new ArrayList<>();
            for (String name : flags.getOrDefault("--engines", "mxnet,pytorch").split(",")) {
                engines.add(engine(name.trim()));
            }
            int runs = atLeast("--runs", number(flags, "--runs", profile ? 3 : 5), 1);
            int warmup = atLeast("--warmup", number(flags, "--warmup", 1), 0);
            return profile ? new ProfileCommand(List.copyOf(engines), runs, warmup, model)
                    : new Bench(List.copyOf(engines), runs, warmup, model);
        }
        if (batch) {
            return batch(flags, model);
        }
        Path out = picture("--out", required(flags, "--out"));
        Path flow = flags.containsKey("--flow") ? picture("--flow", flags.get("--flow")) : null;
        return new Inpaint(Path.of(required(flags, "--image")), Path.of(required(flags, "--mask")), out, flow,
                engine(flags.getOrDefault("--engine", "mxnet")), model, options(flags));
    }

    private static InpaintBatch batch(Map<String, String> flags, Path model) throws UsageException {
        Path out = Path.of(required(flags, "--out"));
        String engine = engine(flags.getOrDefault("--engine", "mxnet"));
        if (flags.containsKey("--pairs")) {
            if (flags.containsKey("--images") || flags.containsKey("--masks")) {
                throw new UsageException("give either --pairs or --images and --masks, not both");
            }
            return new InpaintBatch(null, null, Path.of(flags.get("--pairs")), out, engine, model, options(flags));
        }
        Path images = Path.of(required(flags, "--images"));
        Path masks = Path.of(required(flags, "--masks"));
        // the same folder would pair every picture with itself; the results would overwrite the originals
        if (sameFolder(images, masks)) {
            throw new UsageException("--images and --masks must be different folders");
        }
        if (sameFolder(images, out)) {
            throw new UsageException("--out must not be the --images folder: the results would replace the pictures");
        }
        return new InpaintBatch(images, masks, null, out, engine, model, options(flags));
    }

    private static boolean sameFolder(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static Path picture(String flag, String value) throws UsageException {
        Path file = Path.of(value);
        if (!OUTPUT_FORMATS.contains(extension(file))) {
            throw new UsageException(flag + " must end in .png, .jpg or .bmp, got " + value);
        }
        return file;
    }

    private static Map<String, String> flags(String[] args, int from, Set<String> known) throws UsageException {
        Map<String, String> flags = new HashMap<>();
        for (int i = from; i < args.length; i += 2) {
            String flag = args[i];
            if (!known.contains(flag)) {
                throw new UsageException(flag.startsWith("--") ? "unknown option " + flag : "unexpected argument " + flag);
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new UsageException(flag + " needs a value");
            }
            if (flags.put(flag, args[i + 1]) != null) {
                throw new UsageException(flag + " given twice");
            }
        }
        return flags;
    }

    /** Range checks are InpaintingOptions' own; its message becomes the usage error. */
    private static InpaintingOptions options(Map<String, String> flags) throws UsageException {
        InpaintingOptions defaults = InpaintingOptions.defaults();
        try {
            InpaintingOptions.Builder b = InpaintingOptions.builder()
                    .maxSide(number(flags, "--max-side", defaults.getMaxSide()))
                    .dilate(number(flags, "--dilate", defaults.getDilate()))
                    .threshold(number(flags, "--threshold", defaults.getThreshold()))
                    .flow(flags.containsKey("--flow"));
            if (flags.containsKey("--mask-mode")) {
                b.maskMode(maskMode(flags.get("--mask-mode")));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static InpaintingOptions.MaskMode maskMode(String value) throws UsageException {
        try {
            return InpaintingOptions.MaskMode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--mask-mode must be auto, luminance or alpha, got " + value);
        }
    }

    private static MaskKind masks(String value) throws UsageException {
        try {
            return MaskKind.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--masks must be center, boxes, strokes or blobs, got " + value);
        }
    }

    private static boolean fullSize(String value) throws UsageException {
        return switch (value) {
            case "crop" -> false;
            case "full" -> true;
            default -> throw new UsageException("--size must be crop or full, got " + value);
        };
    }

    private static String engine(String name) throws UsageException {
        String engine = ENGINES.get(name.toLowerCase(Locale.ROOT));
        if (engine == null) {
            throw new UsageException("unknown engine " + name + "; use mxnet or pytorch");
        }
        return engine;
    }

    private static String required(Map<String, String> flags, String flag) throws UsageException {
        String value = flags.get(flag);
        if (value == null) {
            throw new UsageException(flag + " is required");
        }
        return value;
    }

    private static int number(Map<String, String> flags, String flag, int fallback) throws UsageException {
        String value = flags.get(flag);
        return value == null ? fallback : number(flag, value);
    }

    private static int number(String flag, String value) throws UsageException {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " wants a whole number, got " + value);
        }
    }

    private static int atLeast(String flag, int value, int min) throws UsageException {
        if (value < min) {
            throw new UsageException(flag + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
