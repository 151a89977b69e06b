package io.inpaint.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.inpaint.engine.DeepFillModel;
import java.util.function.Supplier;

/**
 * An engine's fp32 matrix-product rate on this machine: the best of a few products of two 2048 x 2048 matrices,
 * each taken both ways the engine offers, {@code matMul} and the fully-connected layer. On MXNet the first goes
 * through its bundled OpenBLAS, which takes its SSE3 kernels on a CPU model it does not know, the second through
 * oneDNN, several times faster there; the floor is what the engine can do, not its slow path.
 *
 * <p>A network's FLOP count divided by this rate is the floor of its forward pass here: the time the pass would take
 * if all its work ran as fast as the engine's best matrix product, so a time over the floor means the same on any
 * machine.
 */
final class MatmulRate {
    static final int SIDE = 2048;
    /** The first products pay the libraries' start-up; the best of the rest is the rate. */
    private static final int TRIES = 4;

    private MatmulRate() {
    }

    /** GFLOP/s of {@code engine} (a DJL engine name) on its default device. */
    static double gflops(String engine) {
        try (NDManager manager = DeepFillModel.engine(engine).newBaseManager()) {
            NDArray a = manager.randomUniform(-1, 1, new Shape(SIDE, SIDE));
            NDArray b = manager.randomUniform(-1, 1, new Shape(SIDE, SIDE));
            long best = Long.MAX_VALUE;
            for (int i = 0; i < TRIES; i++) {
                best = Math.min(best, nanos(() -> a.matMul(b)));
                // a times b transposed: the same work
                best = Math.min(best, nanos(() -> Linear.linear(a, b).singletonOrThrow()));
            }
            return 2.0 * SIDE * SIDE * SIDE / best;
        }
    }

    private static long nanos(Supplier<NDArray> product) {
        long start = System.nanoTime();
        try (NDArray c = product.get()) {
            // reading an element waits for the product on an asynchronous engine
            c.getFloat(0, 0);
        }
        return System.nanoTime() - start;
    }
}
