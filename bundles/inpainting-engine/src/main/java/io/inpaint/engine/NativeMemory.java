package io.inpaint.engine;

import java.util.List;
import java.util.Map;

/**
 * Keeps the native memory a forward pass frees for the next one. glibc maps each block over its threshold (128 kB,
 * rising to at most 32 MB) on its own and unmaps it when freed, and gives its heaps' free tops back, so the next pass
 * faults those pages in again. What a fresh page costs is the machine's: on the 2-core AMD EPYC virtual machine of
 * issue 16 a new 64 MB array took 204 ms against 7 ms in place (about 30 ms on the project's Intel machines), and
 * MXNet's 512x512 pass took 0.73-1.39 s with this setting against 1.12-2.09 s (README, Benchmark, On AMD). So a loaded
 * model has glibc serve blocks from its heaps and never trim them: the process keeps its peak native memory (24
 * pictures with holes of 24 sizes: 2.0 GB peak on MXNet against 1.65-1.8, 1.4 on PyTorch against 1.15-1.2) and the pass
 * takes the memory it freed before. glibc still maps a block over 64 MB on its own in a thread's arena. A setting the
 * environment gives glibc's malloc wins (e.g. MALLOC_TRIM_THRESHOLD_=131072 for glibc's own).
 */
final class NativeMemory {
    /** mallopt parameters, from glibc's malloc.h. */
    static final int M_TRIM_THRESHOLD = -1;
    static final int M_MMAP_MAX = -4;

    /** The variables through which glibc's malloc takes its settings at start. */
    static final List<String> ENVIRONMENT = List.of(
            "MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_");

    private NativeMemory() {
    }

    /** Sets glibc's malloc to keep freed memory, unless this is not Linux or the environment sets malloc. */
    static void keepFreed(Map<String, String> environment) {
        if (LibC.linux() && !setByEnvironment(environment)) {
            LibC libc = LibC.load();
            libc.mallopt(M_MMAP_MAX, 0);
            libc.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE);
        }
    }

    static boolean setByEnvironment(Map<String, String> environment) {
        return ENVIRONMENT.stream().anyMatch(environment::containsKey)
                || environment.getOrDefault("GLIBC_TUNABLES", "").contains("glibc.malloc.");
    }
}
