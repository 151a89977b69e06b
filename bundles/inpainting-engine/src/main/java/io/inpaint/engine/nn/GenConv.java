package io.inpaint.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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

    /** Whether the input is upsampled 2x (nearest) before the convolution. */
    public boolean upsampled() {
        return upsample;
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
        NDArray t = x;
        for (GenConv layer : layers) {
            NDArray in = t;
            NDArray next = LayerProfile.time(LayerProfile.Group.CONVOLUTIONS,
                    () -> layer.forward(parameterStore, new NDList(in), training, params).singletonOrThrow());
            // the chain's input belongs to the caller
            if (t != x) {
                Ops.free(training, t);
            }
            t = next;
        }
        return t;
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
