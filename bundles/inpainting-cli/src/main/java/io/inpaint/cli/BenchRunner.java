package io.inpaint.cli;

import io.inpaint.cli.CommandLine.Bench;
import io.inpaint.engine.ModelDescriptor;
import io.inpaint.engine.nn.DeepFillGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * each peak memory figure belongs to one engine serving one picture size, not to whatever ran before it. Before each
 * engine's forks, this JVM measures the engine's matrix-product rate ({@link MatmulRate}); each figure is set against
 * its floor, the network's matrix-product work in that request at that rate.
 */
final class BenchRunner {
    /** The forks' heap limit: what a server would give the engine, and it keeps peak RSS figures comparable. */
    static final String FORK_HEAP = "-Xmx2g";

    private BenchRunner() {
    }

    static void run(Bench command, PrintStream out) throws RunnerException {
        List<RunResult> results = new ArrayList<>();
        Map<String, Double> rates = new HashMap<>();
        for (String engine : command.engines()) {
            rates.put(engine, MatmulRate.gflops(engine));
            out.printf("bench: %s fp32 matrix product %dx%d, best of a few: %.1f GFLOP/s; load average %s%n", engine,
                    MatmulRate.SIDE, MatmulRate.SIDE, rates.get(engine), loadAverage());
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
        out.printf("bench: load average at the end %s%n", loadAverage());
        DeepFillGenerator generator = new DeepFillGenerator(ModelDescriptor.read(command.model()).cnum());
        out.print(table(results, rates, generator));
    }

    static String table(List<RunResult> results, Map<String, Double> rates, DeepFillGenerator generator) {
        StringBuilder s = new StringBuilder();
        String format = "%-8s %-10s %-24s %10s %10s %10s %5s %7s %9s %8s %14s %14s%n";
        s.append(String.format(format, "engine", "picture", "mask", "median ms", "min ms", "max ms", "runs",
                "GFLOP", "floor ms", "x floor", "peak RSS MiB", "peak heap MiB"));
        for (RunResult r : results) {
            BenchCase c = BenchCase.valueOf(r.getParams().getParam("benchCase"));
            String engine = r.getParams().getParam("engine");
            Statistics latency = r.getPrimaryResult().getStatistics();
            long flops = c.networkFlops(generator);
            double floorMillis = flops / rates.get(engine) / 1e6;
            s.append(String.format(format, engine, c.picture(), c.maskDescription(),
                    String.format("%.0f", latency.getPercentile(50)), String.format("%.0f", latency.getMin()),
                    String.format("%.0f", latency.getMax()), latency.getN(), String.format("%.1f", flops / 1e9),
                    String.format("%.0f", floorMillis), String.format("%.2f", latency.getPercentile(50) / floorMillis),
                    peak(r, PeakMemoryProfiler.PEAK_RSS), peak(r, PeakMemoryProfiler.PEAK_HEAP)));
        }
        s.append(String.format("Latency: one request end to end (default options, max side 512), single shot, "
                + "median of the measured runs. GFLOP: the whole network's matrix-product work in the request (its"
                + " crops),%nof which a pass leaves out what cannot reach the hole (inpaint profile counts what it does)."
                + "%nFloor: that work at the engine's matrix-product rate above; x floor = median / floor. Memory: per"
                + " fork (%s); RSS = VmHWM.%n", FORK_HEAP));
        return s.toString();
    }

    private static String peak(RunResult r, String label) {
        Result<?> result = r.getSecondaryResults().get(label);
        return result == null ? "n/a" : String.format("%.0f", result.getScore());
    }

    /** The 1-, 5- and 15-minute load averages, or "n/a" where there is no /proc (not Linux). */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "n/a";
        }
    }
}
