package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.List;

/**
 * One generator convolution: optional nearest x2 upsampling, a k x k convolution with "same" zero padding
 * ({@code dilation * (k - 1) / 2}) and bias, then ELU, ReLU or nothing. Every layer of the network is one of these.
 */
public final class GenConv extends AbstractBlock {

    /** What follows the convolution. */
    public enum Act {
        ELU,
        RELU,
        NONE
    }

    private final String name;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int dilation;
    private final boolean upsample;
    private final Act act;
    private final Parameter weight;
    private final Parameter bias;

    private GenConv(Spec spec) {
        this.name = spec.name;
        this.outChannels = spec.out;
        this.kernel = spec.kernel;
        this.stride = spec.stride;
        this.dilation = spec.dilation;
        this.upsample = spec.upsample;
        this.act = spec.act;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(outChannels, spec.in, kernel, kernel))
                                .build());
        bias =
                addParameter(
                        Parameter.builder()
                                .setName("bias")
                                .setType(Parameter.Type.BIAS)
                                .optShape(new Shape(outChannels))
                                .build());
    }

    /** Starts a 3x3, stride 1, undilated, ELU layer named as in the twin (e.g. {@code conv1}). */
    public static Spec of(String name, int in, int out) {
        return new Spec(name, in, out);
    }

    /** The twin's layer name; its parameters are {@code <name>.weight} and {@code <name>.bias}. */
    public String name() {
        return name;
    }

    /** How many pixels (rows or columns) on either side of an output pixel its input window spans. */
    private int reach() {
        return dilation * (kernel - 1) / 2;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray in = inputs.singletonOrThrow();
        NDArray x = upsample ? Ops.upsampleNearest2x(in) : in;
        NDArray w = parameterStore.getValue(weight, x.getDevice(), training);
        NDArray b = parameterStore.getValue(bias, x.getDevice(), training);
        int pad = reach();
        NDArray y =
                Conv2d.conv2d(
                                x,
                                w,
                                b,
                                new Shape(stride, stride),
                                new Shape(pad, pad),
                                new Shape(dilation, dilation),
                                1)
                        .singletonOrThrow();
        if (x != in) {
            Ops.free(training, x);
        }
        NDArray out =
                switch (act) {
                    case ELU -> Activation.elu(y, 1f);
                    case RELU -> Activation.relu(y);
                    case NONE -> y;
                };
        if (out != y) {
            Ops.free(training, y);
        }
        return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, outputSize(in.get(2)), outputSize(in.get(3)))};
    }

    /** Multiply-adds x 2 of this layer fed with {@code in}; the bias, activation and upsampling are left out. */
    public long flops(Shape in) {
        Shape out = getOutputShapes(new Shape[] {in})[0];
        return 2L * out.size() * in.get(1) * kernel * kernel;
    }

    /** {@link #flops(Shape)} summed over {@code layers} as a chain fed with {@code input}. */
    static long flops(List<GenConv> layers, Shape input) {
        long sum = 0;
        Shape shape = input;
        for (GenConv layer : layers) {
            sum += layer.flops(shape);
            shape = layer.getOutputShapes(new Shape[] {shape})[0];
        }
        return sum;
    }

    /** The output shape of {@code layers} as a chain fed with {@code input}. */
    static Shape outputShape(List<GenConv> layers, Shape input) {
        Shape shape = input;
        for (GenConv layer : layers) {
            shape = layer.getOutputShapes(new Shape[] {shape})[0];
        }
        return shape;
    }

    /** Runs {@code layers} one after the other; in inference each layer's output is freed once the next exists. */
    static NDArray chain(
            List<GenConv> layers,
            ParameterStore parameterStore,
            NDArray x,
            boolean training,
            PairList<String, Object> params) {
        Shape out = outputShape(layers, x.getShape());
        int[] rows = {0, (int) out.get(2)};
        int[] cols = {0, (int) out.get(3)};
        return chain(layers, parameterStore, Window.all(x), rows, cols, training, params).array();
    }

    /**
     * Runs {@code layers} on the part of {@code x} that their output's rows and columns [from, to) read, each layer on
     * only the part the next ones read: the output is exact there and may cover more. Where that is all of it (the
     * whole picture, or layers whose dilations reach across it), this is the plain chain.
     *
     * @param x covers at least what {@link #inputRange} names for {@code rows} and {@code cols}
     */
    static Window chain(
            List<GenConv> layers,
            ParameterStore parameterStore,
            Window x,
            int[] rows,
            int[] cols,
            boolean training,
            PairList<String, Object> params) {
        int[][] needRows = need(layers, x.height(), rows[0], rows[1]);
        int[][] needCols = need(layers, x.width(), cols[0], cols[1]);
        Window t = x;
        for (int i = 0; i < layers.size(); i++) {
            GenConv layer = layers.get(i);
            Window in = t;
            int[] r = needRows[i];
            int[] c = needCols[i];
            NDArray next = LayerProfile.time(LayerProfile.Group.CONVOLUTIONS, () -> {
                NDArray slice = in.slice(r, c);
                LayerProfile.work(LayerProfile.Group.CONVOLUTIONS, layer.flops(slice.getShape()));
                NDArray y = layer.forward(parameterStore, new NDList(slice), training, params).singletonOrThrow();
                if (slice != in.array()) {
                    Ops.free(training, slice);
                }
                return y;
            });
            // the chain's input belongs to the caller
            if (t != x) {
                Ops.free(training, t.array());
            }
            t = new Window(next, layer.outputStart(r[0]), layer.outputStart(c[0]), layer.outputSize(t.height()),
                    layer.outputSize(t.width()));
        }
        return t;
    }

    /** The part [from, to) of an input side of {@code size} that output [from, to) of {@code layers} reads. */
    static int[] inputRange(List<GenConv> layers, int size, int from, int to) {
        return need(layers, size, from, to)[0];
    }

    /**
     * need[i]: the part of layer i's input side that the chain's output [from, to) reads; need[n] = [from, to). Rows
     * and columns alike: kernels are square, strides and upsampling the same on both axes.
     */
    private static int[][] need(List<GenConv> layers, int size, int from, int to) {
        int n = layers.size();
        int[] sizes = new int[n + 1];
        sizes[0] = size;
        for (int i = 0; i < n; i++) {
            sizes[i + 1] = layers.get(i).outputSize(sizes[i]);
        }
        int[][] need = new int[n + 1][];
        need[n] = new int[] {Math.max(0, from), Math.min(sizes[n], to)};
        for (int i = n - 1; i >= 0; i--) {
            need[i] = layers.get(i).inputRange(need[i + 1][0], need[i + 1][1], sizes[i]);
        }
        return need;
    }

    /** The part of an input side of {@code size} that this layer's output [from, to) reads. */
    private int[] inputRange(int from, int to, int size) {
        int a = stride * from - reach();
        int b = stride * (to - 1) + reach() + 1;
        if (upsample) {
            a = Math.floorDiv(a, 2);
            b = Math.floorDiv(b - 1, 2) + 1;
        }
        a = Math.max(0, a);
        // a strided convolution from an odd row or column would sample the others
        a -= a % stride;
        return new int[] {a, Math.min(size, b)};
    }

    /** Where the output of an input part starting at {@code start} starts. */
    private int outputStart(int start) {
        return upsample ? 2 * start : start / stride;
    }

    /** The output's side for an input side of {@code size}. */
    private int outputSize(long size) {
        return (int) (((upsample ? 2 : 1) * size + stride - 1) / stride);
    }

    /**
     * Rows [top, top + the array's height) and columns [left, left + its width) of an (N, C, height, width) feature
     * map, the rest left out: what a chain run for part of its output passes on.
     */
    record Window(NDArray array, int top, int left, int height, int width) {
        static Window all(NDArray x) {
            Shape s = x.getShape();
            return new Window(x, 0, 0, (int) s.get(2), (int) s.get(3));
        }

        int bottom() {
            return top + (int) array.getShape().get(2);
        }

        int right() {
            return left + (int) array.getShape().get(3);
        }

        /** Rows [rows[0], rows[1]) and columns [cols[0], cols[1]) as an array: the array itself when it holds just those. */
        NDArray slice(int[] rows, int[] cols) {
            if (rows[0] < top || rows[1] > bottom() || cols[0] < left || cols[1] > right()) {
                throw new IllegalArgumentException("rows " + rows[0] + ".." + rows[1] + ", columns " + cols[0] + ".."
                        + cols[1] + " are not in " + top + ".." + bottom() + ", " + left + ".." + right());
            }
            if (rows[0] == top && rows[1] == bottom() && cols[0] == left && cols[1] == right()) {
                return array;
            }
            return array.get(new NDIndex(":, :, {}:{}, {}:{}", rows[0] - top, rows[1] - top, cols[0] - left,
                    cols[1] - left));
        }

        /** The whole map, what was left out zero: the array itself when it holds it all. */
        NDArray full() {
            NDArray t = pad(array, 2, top, height - bottom());
            return pad(t, 3, left, width - right());
        }

        /** A stage's output: {@link #full} clipped to [-1, 1]; in inference the arrays before it are freed. */
        NDArray fullClipped(boolean training) {
            NDArray full = full();
            if (full != array) {
                Ops.free(training, array);
            }
            NDArray clipped = full.clip(-1, 1);
            Ops.free(training, full);
            return clipped;
        }

        private static NDArray pad(NDArray t, int axis, int before, int after) {
            if (before == 0 && after == 0) {
                return t;
            }
            NDList parts = new NDList(3);
            if (before > 0) {
                parts.add(zeros(t, axis, before));
            }
            parts.add(t);
            if (after > 0) {
                parts.add(zeros(t, axis, after));
            }
            return NDArrays.concat(parts, axis);
        }

        /** Zeros shaped as t but {@code size} long on {@code axis}. */
        private static NDArray zeros(NDArray t, int axis, long size) {
            long[] dims = t.getShape().getShape();
            dims[axis] = size;
            return t.getManager().zeros(new Shape(dims), t.getDataType(), t.getDevice());
        }
    }

    /** Initialises {@code layers} as a chain fed with {@code input}; returns the chain's output shape. */
    static Shape initializeChain(List<GenConv> layers, NDManager manager, DataType dataType, Shape input) {
        Shape shape = input;
        for (GenConv layer : layers) {
            layer.initialize(manager, dataType, shape);
            shape = layer.getOutputShapes(new Shape[] {shape})[0];
        }
        return shape;
    }

    /** Layer settings; the defaults are the common 3x3 ELU convolution. */
    public static final class Spec {
        private final String name;
        private final int in;
        private final int out;
        private int kernel = 3;
        private int stride = 1;
        private int dilation = 1;
        private boolean upsample;
        private Act act = Act.ELU;

        private Spec(String name, int in, int out) {
            this.name = name;
            this.in = in;
            this.out = out;
        }

        public Spec kernel(int k) {
            kernel = k;
            return this;
        }

        public Spec stride2() {
            stride = 2;
            return this;
        }

        public Spec dilation(int d) {
            dilation = d;
            return this;
        }

        /** Nearest x2 upsampling before the convolution (the spec's "up"). */
        public Spec upsampled() {
            upsample = true;
            return this;
        }

        public Spec act(Act a) {
            act = a;
            return this;
        }

        public GenConv build() {
            return new GenConv(this);
        }
    }
}
