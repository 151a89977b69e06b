package io.inpaint.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports, after each iteration, the fork's peak resident set (VmHWM: Java heap plus the engine's native memory)
 * and the Java heap's peak, as secondary results aggregated by maximum.
 */
public final class PeakMemoryProfiler implements InternalProfiler {
    static final String PEAK_RSS = "peak-rss";
    static final String PEAK_HEAP = "peak-heap";

    @Override
    public String getDescription() {
        return "peak resident set size (VmHWM) and peak Java heap of the forked JVM";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        // peaks are cumulative over the fork's life; nothing to reset
    }

    @Override
    public List<Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        return List.of(
                new ScalarResult(PEAK_RSS, vmHwmKib() / 1024.0, "MiB", AggregationPolicy.MAX),
                new ScalarResult(PEAK_HEAP, peakHeapBytes() / (1024.0 * 1024.0), "MiB", AggregationPolicy.MAX));
    }

    /** VmHWM from /proc/self/status, in KiB; -1 where there is no /proc (not Linux). */
    private static long vmHwmKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Sum of the heap pools' peaks: an upper bound of the heap's peak, as pools peak at different times. */
    private static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
