package io.inpaint.cli;

import io.inpaint.cli.CommandLine.InpaintBatch;
import io.inpaint.engine.InpaintException;
import io.inpaint.engine.InpaintResult;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.ModelDescriptor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code inpaint --images DIR --masks DIR --out DIR} and {@code inpaint --pairs FILE --out DIR}: many pictures in
 * one JVM with one model load, so a script pays the start-up and the engine's first, cold forward pass once. A
 * picture that fails is reported and skipped; the others go on.
 */
final class Batch {
    private Batch() {
    }

    /** One picture to fill; {@code problem} says why it cannot even be tried (then {@code mask} may be null). */
    record Job(String name, Path image, Path mask, Path out, String problem) {
    }

    /** Runs the batch; returns the number of pictures that failed. */
    static int run(InpaintBatch command, PrintStream out, PrintStream err) throws IOException {
        List<Job> jobs = command.pairs() == null
                ? fromFolders(command.images(), command.masks(), command.out())
                : fromList(command.pairs(), command.out());
        Files.createDirectories(command.out());
        long start = System.nanoTime();
        List<String> failed = new ArrayList<>();
        long doneNanos = 0;
        long networkMillis = 0;
        try (Inpainter inpainter = Inpainter.open(command.model(), command.engine(), null)) {
            ModelDescriptor model = inpainter.descriptor();
            err.printf("batch: %d pictures into %s; model %s (%s) on %s loaded in %.1f s%n", jobs.size(),
                    command.out(), model.name(), model.training().status(), command.engine(), seconds(start));
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                long jobStart = System.nanoTime();
                String progress = String.format("[%d/%d] %s: ", i + 1, jobs.size(), job.name());
                String problem = job.problem();
                if (problem == null) {
                    try {
                        InpaintResult result = inpainter.inpaint(Inpainter.readImage(job.image()),
                                Inpainter.readImage(job.mask()), command.options());
                        Main.write(result.image(), job.out());
                        doneNanos += System.nanoTime() - jobStart;
                        networkMillis += result.inferenceMillis();
                        err.printf("%sdone in %.2f s (%.2f s in the network)%n", progress, seconds(jobStart),
                                result.inferenceMillis() / 1e3);
                    } catch (InpaintException | IOException e) {
                        problem = e.getMessage();
                    }
                }
                if (problem != null) {
                    failed.add(job.name());
                    err.println(progress + "FAILED: " + problem);
                }
            }
        }
        int done = jobs.size() - failed.size();
        out.printf("batch: %d of %d pictures done, %d failed%s; %s; %.1f s in all, model load included%n", done,
                jobs.size(), failed.size(), failed.isEmpty() ? "" : " (" + String.join(", ", failed) + ")",
                done == 0 ? "nothing written"
                        : String.format("%.2f s a picture done (%.2f s in the network), results in %s",
                                doneNanos / 1e9 / done, networkMillis / 1e3 / done, command.out()),
                seconds(start));
        return failed.size();
    }

    /** Every picture of {@code images}, sorted by name, with the mask of the same base name in {@code masks}. */
    static List<Job> fromFolders(Path images, Path masks, Path out) throws IOException {
        Map<String, List<Path>> masksByBase = new HashMap<>();
        for (Path mask : pictures(masks)) {
            masksByBase.computeIfAbsent(base(mask), b -> new ArrayList<>()).add(mask);
        }
        List<Job> jobs = new ArrayList<>();
        for (Path image : pictures(images)) {
            String name = image.getFileName().toString();
            List<Path> candidates = masksByBase.getOrDefault(base(image), List.of());
            String problem = switch (candidates.size()) {
                case 0 -> "no mask with the base name " + base(image) + " (.png, .jpg or .bmp) in " + masks;
                case 1 -> null;
                default -> "more than one mask named " + base(image) + ".* in " + masks + ": "
                        + String.join(", ", candidates.stream().map(m -> m.getFileName().toString()).toList());
            };
            jobs.add(new Job(name, image, candidates.size() == 1 ? candidates.get(0) : null, out.resolve(name),
                    problem));
        }
        if (jobs.isEmpty()) {
            throw new IOException("there are no .png, .jpg or .bmp pictures in " + images);
        }
        return jobs;
    }

    /**
     * The pairs of a list file: IMAGE, a tab, MASK per line, relative to the file's folder; a line that is not such
     * a pair, or whose result would overwrite an earlier one's, is a job that fails with the reason.
     */
    static List<Job> fromList(Path list, Path out) throws IOException {
        if (!Files.isRegularFile(list)) {
            throw new IOException("there is no list file " + list);
        }
        Path folder = list.toAbsolutePath().getParent();
        List<Job> jobs = new ArrayList<>();
        Map<Path, Integer> lineOfResult = new HashMap<>();
        List<String> lines = Files.readAllLines(list);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] pair = line.split("\t");
            if (pair.length != 2) {
                jobs.add(new Job("line " + (i + 1) + " of " + list.getFileName(), null, null, null,
                        "wants IMAGE<tab>MASK, got " + line));
                continue;
            }
            Path image = folder.resolve(pair[0].strip());
            Path result = out.resolve(image.getFileName());
            Integer earlier = lineOfResult.putIfAbsent(result, i + 1);
            String problem = !CommandLine.OUTPUT_FORMATS.contains(CommandLine.extension(image))
                    ? "the image must be a .png, .jpg or .bmp picture"
                    : earlier != null ? "its result " + result + " would overwrite that of line " + earlier : null;
            jobs.add(new Job(pair[0].strip(), image, folder.resolve(pair[1].strip()), result, problem));
        }
        if (jobs.isEmpty()) {
            throw new IOException("the list " + list + " names no pictures");
        }
        return jobs;
    }

    private static List<Path> pictures(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("there is no folder " + folder);
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> Files.isRegularFile(f)
                            && CommandLine.OUTPUT_FORMATS.contains(CommandLine.extension(f)))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                    .toList();
        }
    }

    private static String base(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
