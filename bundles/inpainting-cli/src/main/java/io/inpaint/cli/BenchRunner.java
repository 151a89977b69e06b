package io.inpaint.cli;

import io.inpaint.cli.CommandLine.Bench;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link InpaintBenchmark} engine by engine and prints one table. JMH forks one JVM per engine and picture, so
 * each peak memory figure belongs to one engine serving one picture size, not to whatever ran before it.
 */
final class BenchRunner {
    /** The forks' heap limit: what a server would give the engine, and it keeps peak RSS figures comparable. */
    static final String FORK_HEAP = "-Xmx2g";

    private BenchRunner() {
    }

    static void run(Bench command, PrintStream out) throws RunnerException {
        List<RunResult> results = new ArrayList<>();
        for (String engine : command.engines()) {
            out.printf("bench: %s, %d pictures, %d warm-up + %d measured requests each, one JVM fork per picture...%n",
                    engine, BenchCase.values().length, command.warmup(), command.runs());
            Options options = new OptionsBuilder()
                    .include(InpaintBenchmark.class.getName() + ".inpaint")
                    .param("engine", engine)
                    .param("model", command.model().toAbsolutePath().toString())
                    .forks(1)
                    .warmupIterations(command.warmup())
                    .measurementIterations(command.runs())
                    .jvmArgsAppend(FORK_HEAP)
                    .addProfiler(PeakMemoryProfiler.class)
                    .shouldFailOnError(true)
                    .verbosity(VerboseMode.SILENT)
                    .build();
            results.addAll(new Runner(options).run());
        }
        out.print(table(results));
    }

    static String table(List<RunResult> results) {
        StringBuilder s = new StringBuilder();
        String format = "%-8s %-10s %-24s %10s %10s %10s %5s %14s %14s%n";
        s.append(String.format(format, "engine", "picture", "mask", "median ms", "min ms", "max ms", "runs",
                "peak RSS MiB", "peak heap MiB"));
        for (RunResult r : results) {
            BenchCase c = BenchCase.valueOf(r.getParams().getParam("benchCase"));
            Statistics latency = r.getPrimaryResult().getStatistics();
            s.append(String.format(format, r.getParams().getParam("engine"), c.picture(), c.maskDescription(),
                    String.format("%.0f", latency.getPercentile(50)), String.format("%.0f", latency.getMin()),
                    String.format("%.0f", latency.getMax()), latency.getN(),
                    peak(r, PeakMemoryProfiler.PEAK_RSS), peak(r, PeakMemoryProfiler.PEAK_HEAP)));
        }
        s.append(String.format("Latency: one request end to end (default options, max side 512), single shot, "
                + "median of the measured runs. Memory: per fork (%s); RSS = VmHWM.%n", FORK_HEAP));
        return s.toString();
    }

    private static String peak(RunResult r, String label) {
        Result<?> result = r.getSecondaryResults().get(label);
        return result == null ? "n/a" : String.format("%.0f", result.getScore());
    }
}
