package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

import java.util.function.UnaryOperator;

/** Tensor helpers built only from operations that behave the same on every DJL engine. */
final class Ops {

    private Ops() {}

    /** Zero padding of the last two axes of a 4-d array by {@code p} on every side ({@code NDArray.pad} is missing on MXNet). */
    static NDArray zeroPad(NDArray x, int p) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray rows = x.getManager().zeros(new Shape(n, c, p, w), x.getDataType(), x.getDevice());
        NDArray tall = NDArrays.concat(new NDList(rows, x, rows), 2);
        NDArray cols = x.getManager().zeros(new Shape(n, c, h + 2L * p, p), x.getDataType(), x.getDevice());
        return NDArrays.concat(new NDList(cols, tall, cols), 3);
    }

    /**
     * Runs {@code step} on {@code x} inside a child manager, so every intermediate array it creates is freed on return;
     * only the result survives, attached to x's manager. Used where intermediates are score-matrix sized.
     */
    static NDArray freeingIntermediates(NDArray x, UnaryOperator<NDArray> step) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            x.tempAttach(scope);
            NDArray result = step.apply(x);
            result.attach(owner);
            return result;
        }
    }

    /**
     * {@code step} applied to {@code x}, which is closed as soon as the result exists: in chains of score-matrix-sized
     * arrays, where {@link #freeingIntermediates} would hold every link until the chain ends.
     */
    static NDArray consuming(NDArray x, UnaryOperator<NDArray> step) {
        NDArray result = step.apply(x);
        x.close();
        return result;
    }

    /**
     * Closes arrays the forward pass no longer reads, in inference only: training keeps them for the backward pass.
     * Otherwise every intermediate lives until the request's manager closes (about 3 GB at 512x512 on MXNet).
     */
    static void free(boolean training, NDArray... dead) {
        if (!training) {
            for (NDArray array : dead) {
                array.close();
            }
        }
    }

    /** Nearest-neighbour x2 upsampling of (N,C,H,W) by broadcasting; kept at 5 axes because MXNet limits some ops there. */
    static NDArray upsampleNearest2x(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        return x.reshape(n * c, h, 1, w, 1).broadcast(n * c, h, 2, w, 2).reshape(n, c, 2 * h, 2 * w);
    }

    /**
     * a (M, K) times b (R, K) transposed, (M, R), through the fully-connected layer: MXNet's matMul takes the OpenBLAS
     * bundled with it, which runs its SSE3 kernels on CPU models it does not know (4-5x slower here), while the layer
     * runs on oneDNN; on PyTorch both are as fast.
     */
    static NDArray productWithTransposed(NDArray a, NDArray b) {
        return Linear.linear(a, b).singletonOrThrow();
    }

    /** Plain 2-d convolution with symmetric zero padding and no bias. */
    static NDArray conv2d(NDArray x, NDArray weight, int padding, int groups) {
        return Conv2d.conv2d(
                        x,
                        weight,
                        null,
                        new Shape(1, 1),
                        new Shape(padding, padding),
                        new Shape(1, 1),
                        groups)
                .singletonOrThrow();
    }
}
