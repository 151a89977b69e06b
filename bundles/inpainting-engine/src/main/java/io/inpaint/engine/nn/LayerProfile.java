package io.inpaint.engine.nn;

import java.util.function.Supplier;

/**
 * Where the forward pass spends its time, by layer group, for {@code inpaint profile}. Off unless a thread records;
 * then each group's steps add their wall time, and the matrix-product work they did (rows a pass leaves out not
 * counted), to that thread's totals. The figures mean something only on an engine
 * that finishes each operation before returning: PyTorch on the CPU, MXNet with its NaiveEngine (as the inpaint
 * script and the tests run it); MXNet's threaded engine would bill the work to whichever step waits for it.
 */
public final class LayerProfile {

    /** The layer groups; together with the rest (inputs, concatenations, clipping) they make the forward pass. */
    public enum Group {
        CONVOLUTIONS("convolutions"),
        ATTENTION_MATCHING("attention matching"),
        FUSE("fuse"),
        SOFTMAX("softmax, argmax"),
        RECONSTRUCTION("reconstruction");

        private final String label;

        Group(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What a recorded run did: nanoseconds and matrix-product operations of each group, indexed by ordinal. */
    public record Recording(long[] nanos, long[] flops) {
    }

    private static final ThreadLocal<Recording> TOTALS = new ThreadLocal<>();

    private LayerProfile() {}

    /** Runs {@code work} on this thread and returns what each group did in it. */
    public static Recording record(Runnable work) {
        int groups = Group.values().length;
        Recording totals = new Recording(new long[groups], new long[groups]);
        TOTALS.set(totals);
        try {
            work.run();
        } finally {
            TOTALS.remove();
        }
        return totals;
    }

    /** Runs one step of {@code group}, timed when this thread records. */
    static <T> T time(Group group, Supplier<T> step) {
        Recording totals = TOTALS.get();
        if (totals == null) {
            return step.get();
        }
        long start = System.nanoTime();
        T result = step.get();
        totals.nanos()[group.ordinal()] += System.nanoTime() - start;
        return result;
    }

    /** Counts {@code flops} of matrix-product work done by {@code group}, when this thread records. */
    static void work(Group group, long flops) {
        Recording totals = TOTALS.get();
        if (totals != null) {
            totals.flops()[group.ordinal()] += flops;
        }
    }
}
