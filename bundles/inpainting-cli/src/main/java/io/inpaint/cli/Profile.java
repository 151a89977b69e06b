package io.inpaint.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.inpaint.cli.CommandLine.ProfileCommand;
import io.inpaint.engine.DeepFillModel;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.nn.DeepFillGenerator;
import io.inpaint.engine.nn.LayerProfile;
import io.inpaint.engine.nn.LayerProfile.Group;
import io.inpaint.engine.nn.NetworkFlops;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code inpaint profile}: where the forward pass spends its time, by layer group ({@link LayerProfile}), at the
 * network sizes of the speed issue, with each matrix-product group set against the engine's floor measured in the
 * same run. The network alone, on a centred square hole, no picture handling, run as the product runs it (exact
 * within {@link Inpainter#OUTPUT_REACH} rows of the hole, so the attention leaves out the positions beyond).
 */
final class Profile {
    /** The network sizes profiled: a small crop and the largest the product runs (max side 512). */
    static final int[] SIDES = {256, 512};

    private Profile() {
    }

    static void run(ProfileCommand command, PrintStream out) {
        for (String engine : command.engines()) {
            double rate = MatmulRate.gflops(engine);
            try (DeepFillModel model = DeepFillModel.load(command.model(), engine, null)) {
                DeepFillGenerator generator = new DeepFillGenerator(model.descriptor().cnum());
                for (int side : SIDES) {
                    String loadBefore = BenchRunner.loadAverage();
                    Pass[] runs = new Pass[command.runs()];
                    for (int i = -command.warmup(); i < command.runs(); i++) {
                        Pass run = forward(model, side);
                        if (i >= 0) {
                            runs[i] = run;
                        }
                    }
                    out.print(table(engine, side, rate, generator.flops(side, side), runs, command.warmup(),
                            loadBefore + " -> " + BenchRunner.loadAverage()));
                }
            }
        }
    }

    /** One forward pass: what each group did, and the nanoseconds of the whole pass. */
    private record Pass(LayerProfile.Recording groups, long nanos) {
        /** Milliseconds of group g by ordinal; of the rest for g = groups; of the whole pass for g = groups + 1. */
        double ms(int g) {
            long[] nanos = groups.nanos();
            long value = g < nanos.length ? nanos[g] : g == nanos.length ? this.nanos - Arrays.stream(nanos).sum() : this.nanos;
            return value / 1e6;
        }

        /** The matrix-product work done by group g, by the rest (none) and by the whole pass, as for {@link #ms}. */
        long flops(int g) {
            long[] flops = groups.flops();
            return g < flops.length ? flops[g] : g == flops.length ? 0 : Arrays.stream(flops).sum();
        }
    }

    private static Pass forward(DeepFillModel model, int side) {
        try (NDManager manager = model.newManager()) {
            NDArray x = manager.randomUniform(-1, 1, new Shape(1, 3, side, side));
            NDArray mask = manager.zeros(new Shape(1, 1, side, side));
            mask.set(new NDIndex("..., {}:{}, {}:{}", side * 3 / 8, side * 5 / 8, side * 3 / 8,
                    side * 5 / 8), 1f);
            long[] whole = new long[1];
            LayerProfile.Recording recording = LayerProfile.record(() -> {
                long start = System.nanoTime();
                model.forward(x, mask, Inpainter.OUTPUT_REACH).close();
                whole[0] = System.nanoTime() - start;
            });
            return new Pass(recording, whole[0]);
        }
    }

    private static String table(String engine, int side, double rate, NetworkFlops network, Pass[] runs,
            int warmup, String load) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("profile: %s, network at %dx%d, median of %d forward passes after %d warm-up;"
                + " matrix product %.1f GFLOP/s; load average %s%n", engine, side, side, runs.length, warmup, rate,
                load));
        String format = "  %-20s %10s %7s %7s %10s %8s%n";
        s.append(String.format(format, "group", "median ms", "share", "GFLOP", "floor ms", "x floor"));
        Group[] groups = Group.values();
        double whole = median(runs, groups.length + 1);
        for (int g = 0; g <= groups.length + 1; g++) {
            String label = g < groups.length ? groups[g].label() : g == groups.length ? "other" : "forward pass";
            // the same in every pass: it depends on the shapes only
            long work = runs[0].flops(g);
            s.append(row(format, label, median(runs, g), whole, work, rate));
        }
        s.append(row(format, "(whole network)", whole, whole, network.total(), rate));
        return s.toString();
    }

    private static String row(String format, String label, double ms, double whole, long work, double rate) {
        double floor = work / rate / 1e6;
        return String.format(format, label, String.format("%.0f", ms), String.format("%.0f %%", 100 * ms / whole),
                work == 0 ? "" : String.format("%.1f", work / 1e9), work == 0 ? "" : String.format("%.0f", floor),
                work == 0 ? "" : String.format("%.2f", ms / floor));
    }

    private static double median(Pass[] runs, int g) {
        double[] values = Arrays.stream(runs).mapToDouble(r -> r.ms(g)).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
