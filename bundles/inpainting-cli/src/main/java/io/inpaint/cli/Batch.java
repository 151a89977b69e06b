package io.inpaint.cli;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.cli.CommandLine.InpaintBatch;
import io.inpaint.engine.InpaintException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
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

    /**
     * Runs the batch; returns the number of pictures that failed. Three pictures are in flight: the next one is read
     * and prepared, and the previous one composited and written, each on a thread of its own, while the network runs
     * the current one, so the network rarely waits for files.
     */
    static int run(InpaintBatch command, PrintStream out, PrintStream err) throws IOException {
        List<Job> jobs = command.pairs() == null
                ? fromFolders(command.images(), command.masks(), command.out())
                : fromList(command.pairs(), command.out());
        Files.createDirectories(command.out());
        long start = System.nanoTime();
        Tally tally = new Tally(jobs.size(), err);
        ExecutorService reader = Executors.newSingleThreadExecutor(daemon("batch-reader"));
        ExecutorService writer = Executors.newSingleThreadExecutor(daemon("batch-writer"));
        long batchStart;
        try (Inpainter inpainter = Inpainter.open(command.model(), command.engine(), null)) {
            ModelDescriptor model = inpainter.descriptor();
            err.printf("batch: %d pictures into %s; model %s (%s) on %s loaded in %.1f s%n", jobs.size(),
                    command.out(), model.name(), model.training().status(), command.engine(), seconds(start));
            batchStart = System.nanoTime();
            Future<Read> next = reader.submit(() -> read(jobs.get(0), command.options()));
            Future<?> writing = CompletableFuture.completedFuture(null);
            for (int i = 0; i < jobs.size(); i++) {
                Read current = await(next);
                if (i + 1 < jobs.size()) {
                    Job following = jobs.get(i + 1);
                    next = reader.submit(() -> read(following, command.options()));
                }
                Inpainter.Forwarded forwarded = null;
                String problem = current.problem;
                if (problem == null) {
                    try {
                        forwarded = inpainter.forward(current.prepared);
                    } catch (InpaintException e) {
                        problem = e.getMessage();
                    }
                }
                // one picture is written while the next one's forward pass runs, not more: memory stays bounded
                await(writing);
                int index = i;
                Inpainter.Forwarded result = forwarded;
                String failure = problem;
                writing = writer.submit(() -> tally.finish(index, current, result, failure));
            }
            await(writing);
        } finally {
            reader.shutdownNow();
            writer.shutdownNow();
        }
        int done = jobs.size() - tally.failed.size();
        out.printf("batch: %d of %d pictures done, %d failed%s; %s; %.1f s in all, model load included%n", done,
                jobs.size(), tally.failed.size(),
                tally.failed.isEmpty() ? "" : " (" + String.join(", ", tally.failed) + ")",
                done == 0 ? "nothing written"
                        : String.format("%.2f s a picture done (%.2f s in the network), results in %s",
                                (System.nanoTime() - batchStart) / 1e9 / done, tally.networkMillis / 1e3 / done,
                                command.out()),
                seconds(start));
        return tally.failed.size();
    }

    /** A job read and prepared, or why it could not be. */
    private record Read(Job job, long start, Inpainter.Prepared prepared, String problem) {
    }

    private static Read read(Job job, InpaintingOptions options) {
        long start = System.nanoTime();
        if (job.problem() != null) {
            return new Read(job, start, null, job.problem());
        }
        try {
            return new Read(job, start, Inpainter.prepare(Inpainter.readImage(job.image()),
                    Inpainter.readImage(job.mask()), options), null);
        } catch (InpaintException e) {
            return new Read(job, start, null, e.getMessage());
        }
    }

    /** Composites and writes the pictures in order, on the writer thread, and keeps the count and the progress. */
    private static final class Tally {
        private final int total;
        private final PrintStream err;
        private final List<String> failed = new ArrayList<>();
        private long networkMillis;

        Tally(int total, PrintStream err) {
            this.total = total;
            this.err = err;
        }

        void finish(int index, Read read, Inpainter.Forwarded forwarded, String problem) {
            String progress = String.format("[%d/%d] %s: ", index + 1, total, read.job.name());
            if (problem == null) {
                try {
                    Main.write(Inpainter.composite(read.prepared, forwarded).image(), read.job.out());
                    networkMillis += forwarded.inferenceMillis();
                    err.printf("%sdone in %.2f s (%.2f s in the network)%n", progress, seconds(read.start),
                            forwarded.inferenceMillis() / 1e3);
                    return;
                } catch (InpaintException | IOException e) {
                    problem = e.getMessage();
                }
            }
            failed.add(read.job.name());
            err.println(progress + "FAILED: " + problem);
        }
    }

    /** The value of a step of the pipeline; what it threw is thrown here, unwrapped. */
    private static <T> T await(Future<T> step) throws IOException {
        try {
            return step.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the batch was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IOException(e.getCause());
        }
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
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
