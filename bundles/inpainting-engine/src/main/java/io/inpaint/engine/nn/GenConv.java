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
    public int reach() {
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
        long scale = upsample ? 2 : 1;
        long h = (in.get(2) * scale + stride - 1) / stride;
        long w = (in.get(3) * scale + stride - 1) / stride;
        return new Shape[] {new Shape(in.get(0), outChannels, h, w)};
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
        Rows all = Rows.all(x);
        int height = outputHeight(layers, all.height());
        return chain(layers, parameterStore, all, 0, height, training, params).array();
    }

    /**
     * Runs {@code layers} on the rows of {@code x} that their output rows [from, to) read, each layer on only the rows
     * the next ones read: the output is exact in [from, to) and may cover more. Where the rows read are all of them
     * (the whole picture, or layers whose dilations reach across it), this is the plain chain.
     *
     * @param x covers at least the rows {@link #inputRows} names for [from, to)
     */
    static Rows chain(
            List<GenConv> layers,
            ParameterStore parameterStore,
            Rows x,
            int from,
            int to,
            boolean training,
            PairList<String, Object> params) {
        int[][] need = need(layers, x.height(), from, to);
        Rows t = x;
        for (int i = 0; i < layers.size(); i++) {
            GenConv layer = layers.get(i);
            Rows in = t;
            int[] rows = need[i];
            NDArray next = LayerProfile.time(LayerProfile.Group.CONVOLUTIONS, () -> {
                NDArray slice = in.slice(rows[0], rows[1]);
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
            int first = layer.upsample ? 2 * rows[0] : rows[0] / layer.stride;
            t = new Rows(next, first, layer.outputHeight(t.height()));
        }
        return t;
    }

    /** The rows of an input of {@code height} rows that output rows [from, to) of {@code layers} read. */
    static int[] inputRows(List<GenConv> layers, int height, int from, int to) {
        return need(layers, height, from, to)[0];
    }

    /** need[i]: the rows of layer i's input that the chain's output rows [from, to) read; need[n] = [from, to). */
    private static int[][] need(List<GenConv> layers, int height, int from, int to) {
        int n = layers.size();
        int[] heights = new int[n + 1];
        heights[0] = height;
        for (int i = 0; i < n; i++) {
            heights[i + 1] = layers.get(i).outputHeight(heights[i]);
        }
        int[][] need = new int[n + 1][];
        need[n] = new int[] {Math.max(0, from), Math.min(heights[n], to)};
        for (int i = n - 1; i >= 0; i--) {
            need[i] = layers.get(i).inputRows(need[i + 1][0], need[i + 1][1], heights[i]);
        }
        return need;
    }

    /** The rows of an input of {@code height} rows that this layer's output rows [from, to) read. */
    private int[] inputRows(int from, int to, int height) {
        int a = stride * from - reach();
        int b = stride * (to - 1) + reach() + 1;
        if (upsample) {
            a = Math.floorDiv(a, 2);
            b = Math.floorDiv(b - 1, 2) + 1;
        }
        a = Math.max(0, a);
        // a strided convolution over rows from an odd one would sample the other rows
        a -= a % stride;
        return new int[] {a, Math.min(height, b)};
    }

    private int outputHeight(int height) {
        return ((upsample ? 2 : 1) * height + stride - 1) / stride;
    }

    private static int outputHeight(List<GenConv> layers, int height) {
        int h = height;
        for (GenConv layer : layers) {
            h = layer.outputHeight(h);
        }
        return h;
    }

    /**
     * Rows [from, from + the array's height) of an (N, C, height, W) feature map, the others left out: what a chain run
     * for some output rows passes on.
     */
    record Rows(NDArray array, int from, int height) {
        static Rows all(NDArray x) {
            return new Rows(x, 0, (int) x.getShape().get(2));
        }

        int to() {
            return from + (int) array.getShape().get(2);
        }

        /** Rows [a, b) as an array: the array itself when it holds exactly those. */
        NDArray slice(int a, int b) {
            if (a < from || b > to()) {
                throw new IllegalArgumentException("rows " + a + ".." + b + " are not in " + from + ".." + to());
            }
            return a == from && b == to() ? array : array.get(new NDIndex(":, :, {}:{}", a - from, b - from));
        }

        /** The whole height, the rows left out zero: the array itself when it holds them all. */
        NDArray full() {
            Shape s = array.getShape();
            if (from == 0 && to() == height) {
                return array;
            }
            NDList parts = new NDList(3);
            if (from > 0) {
                parts.add(array.getManager().zeros(new Shape(s.get(0), s.get(1), from, s.get(3)), array.getDataType(),
                        array.getDevice()));
            }
            parts.add(array);
            if (to() < height) {
                parts.add(array.getManager().zeros(new Shape(s.get(0), s.get(1), height - to(), s.get(3)),
                        array.getDataType(), array.getDevice()));
            }
            return NDArrays.concat(parts, 2);
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
