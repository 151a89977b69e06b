package io.inpaint.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.inpaint.cli.CommandLine.Evaluate;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.InvalidInputException;
import io.inpaint.engine.ModelDescriptor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.opencv.core.Core;

/**
 * {@code inpaint evaluate}: the product's model against classical inpainting on the same fixed-seed holes, measured
 * as the DeepFill paper measures (plus SSIM and the seam), written to report.json and a contact sheet. On 256x256
 * crops, as the paper, or on the pictures at their own size, where the model goes the way a real photo goes (regions,
 * scaling, paste) and OpenCV works at full resolution on the same input.
 */
final class Evaluation {
    /** The goal for the model's hole l1 relative to Telea's on centred holes. */
    static final double TARGET_RATIO_TO_TELEA = 0.6;
    private static final Set<String> PICTURES = Set.of("jpg", "jpeg", "png");
    private static final Metric[] METRICS = Metric.values();

    private Evaluation() {
    }

    /** One picture's scores: {@code scores[method][metric]}, {@code millis[method]}. */
    private record Scored(String name, int width, int height, int holePixels, double truthTv, double truthSeam,
            double[][] scores, double[] millis) {
    }

    static void run(Evaluate command, PrintStream out) throws IOException {
        List<Path> pictures = pictures(command.images(), command.limit());
        Files.createDirectories(command.out());
        List<Scored> scored = new ArrayList<>();
        List<FillMethod> methods;
        ContactSheet sheet;
        ModelDescriptor model;
        try (Inpainter inpainter = Inpainter.open(command.model(), command.engine(), null)) {
            model = inpainter.descriptor();
            methods = List.of(FillMethod.model(inpainter, command.engine(), command.options()), FillMethod.telea(),
                    FillMethod.navierStokes(), FillMethod.meanColour());
            sheet = new ContactSheet(methods.stream().map(FillMethod::label).toList(),
                    command.fullSize() ? ContactSheet.MAX_ROWS_FULL_SIZE : ContactSheet.MAX_ROWS);
            out.printf("evaluate: %d pictures from %s %s, %s masks, seed %d; model %s (%s) on %s%n",
                    pictures.size(), command.images(), command.fullSize() ? "at their own size" : "as 256x256 crops",
                    command.masks().label(), command.seed(), model.name(), model.training().status(),
                    command.engine());
            for (int i = 0; i < pictures.size(); i++) {
                BufferedImage truth = truth(pictures.get(i), command.fullSize());
                boolean[] hole = command.fullSize()
                        ? command.masks().hole(command.seed(), i, truth.getWidth(), truth.getHeight())
                        : command.masks().hole(command.seed(), i);
                scored.add(evaluate(pictures.get(i).getFileName().toString(), truth, hole, methods, sheet));
                out.printf("  %3d/%d %s%n", i + 1, pictures.size(), pictures.get(i).getFileName());
            }
        }
        double[][] means = means(scored, methods.size());
        JsonObject report = report(command, model, methods, scored, means);
        Files.writeString(command.out().resolve("report.json"), new GsonBuilder().setPrettyPrinting().serializeNulls()
                .disableHtmlEscaping().create().toJson(report), StandardCharsets.UTF_8);
        ImageIO.write(sheet.render(), "png", command.out().resolve("contact-sheet.png").toFile());
        out.print(table(methods, scored, means));
        out.printf("wrote report.json and contact-sheet.png in %s%n", command.out());
    }

    /** The pictures of the folder, sorted by name, at most {@code limit} (null: all). */
    private static List<Path> pictures(Path folder, Integer limit) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("there is no folder " + folder);
        }
        List<Path> pictures;
        try (Stream<Path> files = Files.list(folder)) {
            pictures = files.filter(f -> Files.isRegularFile(f) && PICTURES.contains(CommandLine.extension(f)))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                    .limit(limit == null ? Long.MAX_VALUE : limit)
                    .toList();
        }
        if (pictures.isEmpty()) {
            throw new IOException("there are no .jpg or .png pictures in " + folder);
        }
        return pictures;
    }

    /** The ground truth: the picture's 256x256 middle, or the whole picture, as {@code TYPE_INT_RGB}. */
    private static BufferedImage truth(Path file, boolean fullSize) {
        try {
            BufferedImage picture = Inpainter.readImage(file);
            return fullSize ? FillMethod.copy(picture) : CentreCrop.of(picture, MaskKind.SIDE);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file + ": " + e.getMessage(), e);
        }
    }

    private static Scored evaluate(String name, BufferedImage truth, boolean[] hole, List<FillMethod> methods,
            ContactSheet sheet) {
        int width = truth.getWidth();
        // The methods get the hole painted white, so none can peek at the pixels it has to guess.
        BufferedImage input = FillMethod.copy(truth);
        int[] inputPixels = FillMethod.pixels(input);
        int holePixels = 0;
        for (int p = 0; p < hole.length; p++) {
            if (hole[p]) {
                inputPixels[p] = 0xffffff;
                holePixels++;
            }
        }
        int[] truthPixels = FillMethod.pixels(truth);
        double[][] scores = new double[methods.size()][];
        double[] millis = new double[methods.size()];
        List<BufferedImage> results = new ArrayList<>();
        for (int m = 0; m < methods.size(); m++) {
            long start = System.nanoTime();
            BufferedImage result = methods.get(m).fill().apply(FillMethod.copy(input), hole);
            millis[m] = (System.nanoTime() - start) / 1e6;
            results.add(result);
            scores[m] = new double[METRICS.length];
            for (Metric metric : METRICS) {
                scores[m][metric.ordinal()] = metric.of(truthPixels, FillMethod.pixels(result), hole, width);
            }
        }
        double[] holeL1 = new double[methods.size()];
        for (int m = 0; m < methods.size(); m++) {
            holeL1[m] = scores[m][Metric.HOLE_L1.ordinal()];
        }
        sheet.add(new ContactSheet.Row(name, input, MaskKind.picture(hole, width), truth, results, holeL1));
        return new Scored(name, width, truth.getHeight(), holePixels, Metric.tv(truthPixels, width),
                Metric.seam(truthPixels, hole, width), scores, millis);
    }

    /** {@code means[method][metric]}, with the milliseconds per picture in the last column. */
    private static double[][] means(List<Scored> scored, int methods) {
        double[][] means = new double[methods][METRICS.length + 1];
        for (Scored s : scored) {
            for (int m = 0; m < methods; m++) {
                for (int k = 0; k < METRICS.length; k++) {
                    means[m][k] += s.scores()[m][k] / scored.size();
                }
                means[m][METRICS.length] += s.millis()[m] / scored.size();
            }
        }
        return means;
    }

    /** The model is the first method. */
    private static double ratioToTelea(List<FillMethod> methods, double[][] means) {
        int telea = methods.stream().map(FillMethod::key).toList().indexOf("telea");
        return means[0][Metric.HOLE_L1.ordinal()] / means[telea][Metric.HOLE_L1.ordinal()];
    }

    private static JsonObject report(Evaluate command, ModelDescriptor model, List<FillMethod> methods,
            List<Scored> scored, double[][] means) {
        JsonObject config = new JsonObject();
        config.addProperty("images", command.images().toAbsolutePath().normalize().toString());
        config.addProperty("pictures", scored.size());
        config.addProperty("limit", command.limit());
        config.addProperty("masks", command.masks().label());
        config.addProperty("seed", command.seed());
        config.addProperty("size", command.fullSize() ? "full" : "crop");
        config.addProperty("crop", command.fullSize()
                ? "none: each picture at its own size, the masks' lengths scaled by its short side over "
                        + MaskKind.SIDE
                : "the middle " + MaskKind.SIDE + "x" + MaskKind.SIDE + ", the short side first scaled to "
                        + MaskKind.SIDE + " by area averaging when longer");
        config.addProperty("engine", command.engine());
        config.addProperty("model", command.model().toAbsolutePath().normalize().toString());
        config.addProperty("modelName", model.name());
        config.addProperty("modelTraining", model.training().status());
        config.addProperty("modelSteps", model.training().steps());
        config.addProperty("maxSide", command.options().getMaxSide());
        config.addProperty("openCv", Core.VERSION);
        config.addProperty("openCvRadius", FillMethod.OPENCV_RADIUS);
        JsonObject definitions = new JsonObject();
        for (Metric metric : METRICS) {
            definitions.addProperty(metric.key, metric.definition);
        }
        definitions.addProperty("ms", "wall time of one fill, milliseconds (the model's includes its pre- and"
                + " post-processing)");
        config.add("definitions", definitions);

        JsonObject meanScores = new JsonObject();
        for (int m = 0; m < methods.size(); m++) {
            JsonObject method = scores(means[m]);
            method.addProperty("label", methods.get(m).label());
            meanScores.add(methods.get(m).key(), method);
        }
        JsonObject ratio = new JsonObject();
        double modelToTelea = ratioToTelea(methods, means);
        ratio.addProperty("modelToTelea", round(modelToTelea));
        ratio.addProperty("target", TARGET_RATIO_TO_TELEA);
        ratio.addProperty("met", modelToTelea <= TARGET_RATIO_TO_TELEA);

        JsonArray images = new JsonArray();
        for (Scored s : scored) {
            JsonObject image = new JsonObject();
            image.addProperty("name", s.name());
            image.addProperty("width", s.width());
            image.addProperty("height", s.height());
            image.addProperty("holePixels", s.holePixels());
            image.addProperty("groundTruthTv", round(s.truthTv()));
            image.addProperty("groundTruthSeam", round(s.truthSeam()));
            JsonObject byMethod = new JsonObject();
            for (int m = 0; m < methods.size(); m++) {
                JsonObject method = scores(s.scores()[m]);
                method.addProperty("ms", round(s.millis()[m]));
                byMethod.add(methods.get(m).key(), method);
            }
            image.add("methods", byMethod);
            images.add(image);
        }

        JsonObject root = new JsonObject();
        root.add("config", config);
        root.add("means", meanScores);
        root.addProperty("groundTruthTv", round(scored.stream().mapToDouble(Scored::truthTv).average().orElse(0)));
        root.addProperty("groundTruthSeam",
                round(scored.stream().mapToDouble(Scored::truthSeam).average().orElse(0)));
        root.add("holeL1", ratio);
        root.add("images", images);
        return root;
    }

    /** The metrics, then the milliseconds when {@code values} has them. */
    private static JsonObject scores(double[] values) {
        JsonObject json = new JsonObject();
        for (Metric metric : METRICS) {
            json.addProperty(metric.key, round(values[metric.ordinal()]));
        }
        if (values.length > METRICS.length) {
            json.addProperty("ms", round(values[METRICS.length]));
        }
        return json;
    }

    /** Four decimals: beyond them the figures are noise, and the report stays readable. */
    private static double round(double value) {
        return Math.round(value * 1e4) / 1e4;
    }

    private static String table(List<FillMethod> methods, List<Scored> scored, double[][] means) {
        StringBuilder s = new StringBuilder();
        int labelWidth = Math.max(12, methods.stream().mapToInt(m -> m.label().length()).max().orElse(0));
        s.append(String.format("%-" + labelWidth + "s", "method"));
        for (Metric metric : METRICS) {
            s.append(String.format(" %10s", metric.heading));
        }
        s.append(String.format(" %10s%n", "ms/picture"));
        for (int m = 0; m < methods.size(); m++) {
            s.append(String.format("%-" + labelWidth + "s", methods.get(m).label()));
            for (Metric metric : METRICS) {
                s.append(String.format(metric == Metric.SSIM ? " %10.4f" : " %10.2f", means[m][metric.ordinal()]));
            }
            s.append(String.format(" %10.0f%n", means[m][METRICS.length]));
        }
        s.append(String.format("Means over %d pictures. TV of the ground truth: %.2f %%; its seam: %.2f %%.%n",
                scored.size(), scored.stream().mapToDouble(Scored::truthTv).average().orElse(0),
                scored.stream().mapToDouble(Scored::truthSeam).average().orElse(0)));
        double ratio = ratioToTelea(methods, means);
        s.append(String.format("Hole l1, model / Telea: %.2f (target <= %.1f: %s).%n", ratio, TARGET_RATIO_TO_TELEA,
                ratio <= TARGET_RATIO_TO_TELEA ? "met" : "not met"));
        return s.toString();
    }
}
