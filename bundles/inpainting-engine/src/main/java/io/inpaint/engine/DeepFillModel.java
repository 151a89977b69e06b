package io.inpaint.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.inpaint.engine.nn.DeepFillGenerator;
import io.inpaint.engine.weights.WeightLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A loaded DeepFill v1 generator on one DJL engine and device, ready for inference.
 *
 * <p>Not thread-safe: {@link #forward} must not run concurrently with itself or {@link #close()} (DJL blocks are
 * not safe for that); callers serialise, e.g. with one lock per model. Creating managers with {@link #newManager()}
 * and preparing inputs may happen on any thread. With MXNet, set {@code MXNET_ENGINE_TYPE=NaiveEngine} when
 * forward passes come from more than one thread.
 */
public final class DeepFillModel implements AutoCloseable {

    public static final String DEFAULT_ENGINE = "MXNet";

    private final ModelDescriptor descriptor;
    private final NDManager manager;
    private final DeepFillGenerator generator;
    private final ParameterStore parameterStore;

    private DeepFillModel(ModelDescriptor descriptor, NDManager manager, DeepFillGenerator generator) {
        this.descriptor = descriptor;
        this.manager = manager;
        this.generator = generator;
        this.parameterStore = new ParameterStore(manager, false);
    }

    /**
     * Reads the descriptor, builds the generator on the engine and device and loads its weights.
     *
     * @param engineName a DJL engine name, {@code "MXNet"} or {@code "PyTorch"}; null means {@value #DEFAULT_ENGINE}
     * @param device where to run; null means the engine's first GPU if it has one, else the CPU
     * @throws ModelLoadException when the descriptor or weights are missing, invalid or do not fit, or the engine or
     *     device is not available
     */
    public static DeepFillModel load(Path modelJson, String engineName, Device device) {
        ModelDescriptor descriptor = ModelDescriptor.read(modelJson);
        if (!Files.isRegularFile(descriptor.weights())) {
            throw new ModelLoadException(
                    "Weight file " + descriptor.weights() + " named by " + modelJson + " does not exist");
        }
        KernelCaches.bound();
        NativeMemory.keepFreed(System.getenv());
        Engine engine = engine(engineName == null ? DEFAULT_ENGINE : engineName);
        NDManager manager = engine.newBaseManager(chooseDevice(engine, device));
        try {
            DeepFillGenerator generator = new DeepFillGenerator(descriptor.cnum());
            // The shapes only seed DJL's bookkeeping: every parameter's shape follows from cnum alone.
            generator.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 8, 8), new Shape(1, 1, 8, 8));
            WeightLoader.load(descriptor.weights(), generator.namedParameters());
            // Inference only: no parameter takes part in autograd, even if a caller opens a GradientCollector.
            generator.freezeParameters(true);
            return new DeepFillModel(descriptor, manager, generator);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The DJL engine of that name, loaded on a thread of its own. MXNet runs its operators on a single core in the
     * thread that loaded its library: the command line loaded and ran on its main thread, where a 512x512 forward pass
     * took 1.3 s (as with OMP_NUM_THREADS=1) against 0.85 s once the library was loaded elsewhere. PyTorch is the same
     * either way.
     *
     * @throws ModelLoadException the engine is not available
     */
    public static Engine engine(String name) {
        CompletableFuture<Engine> loaded = new CompletableFuture<>();
        Thread loader = new Thread(() -> {
            try {
                loaded.complete(Engine.getEngine(name));
            } catch (RuntimeException | Error e) {
                loaded.completeExceptionally(e);
            }
        }, "engine-loader");
        loader.setDaemon(true);
        loader.start();
        try {
            return loaded.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while loading the engine " + name, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException missing) {
                throw new ModelLoadException("Deep learning engine \"" + name + "\" is not available; available: "
                        + Engine.getAllEngines(), missing);
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) e.getCause();
        }
    }

    /** The requested device, or GPU 0 when the engine sees a GPU, else the CPU. */
    static Device chooseDevice(Engine engine, Device requested) {
        if (requested == null) {
            return engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (requested.isGpu() && requested.getDeviceId() >= engine.getGpuCount()) {
            throw new ModelLoadException(
                    "Device " + requested + " is not available to " + engine.getEngineName() + ", which sees "
                            + engine.getGpuCount() + " GPU(s)");
        }
        return requested;
    }

    /**
     * Runs the generator without recording gradients.
     *
     * @param x (N,3,H,W) FLOAT32 in [-1,1] on {@link #device()}; H and W multiples of 8
     * @param mask (N,1,H,W) FLOAT32, 1 = hole, 0 = known
     * @return [stage1 (N,3,H,W), stage2 (N,3,H,W), offsets (N,2,H/8,W/8) INT32 (dy, dx)], attached to x's manager;
     *     the intermediate arrays are freed before returning
     * @throws InvalidInputException when the shapes, type or device do not fit
     */
    public NDList forward(NDArray x, NDArray mask) {
        return forward(x, mask, null);
    }

    /**
     * As {@link #forward(NDArray, NDArray)}, but exact only where a caller that composites the hole reads: stage 1 in
     * the hole's bounding box, stage 2 within {@code holeReach} pixels of it and the offsets in the hole; elsewhere
     * they may be anything. The layers' work and the attention positions that reach none of it are left out.
     */
    public NDList forward(NDArray x, NDArray mask, int holeReach) {
        return forward(x, mask, new PairList<>(List.of(DeepFillGenerator.HOLE_REACH), List.of(holeReach)));
    }

    private NDList forward(NDArray x, NDArray mask, PairList<String, Object> params) {
        checkInput(x, mask);
        NDManager caller = x.getManager();
        try (NDManager scope = caller.newSubManager()) {
            x.tempAttach(scope);
            mask.tempAttach(scope);
            NDList out = generator.forward(parameterStore, new NDList(x, mask), false, params);
            out.attach(caller);
            return out;
        }
    }

    /** As {@link #forward(NDArray, NDArray)} with {@code [x, mask]}. */
    public NDList forward(NDList input) {
        if (input.size() != 2) {
            throw new InvalidInputException("expected [x, mask], got " + input.size() + " arrays");
        }
        return forward(input.get(0), input.get(1));
    }

    private void checkInput(NDArray x, NDArray mask) {
        try {
            DeepFillGenerator.checkInputShapes(x.getShape(), mask.getShape());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        if (x.getDataType() != DataType.FLOAT32 || mask.getDataType() != DataType.FLOAT32) {
            throw new InvalidInputException(
                    "x and mask must be FLOAT32, got " + x.getDataType() + " and " + mask.getDataType());
        }
        if (!x.getDevice().equals(device()) || !mask.getDevice().equals(device())) {
            throw new InvalidInputException(
                    "inputs must be on " + device() + ", got " + x.getDevice() + " and " + mask.getDevice());
        }
    }

    /** A manager on this model's engine and device for one request's arrays; close it to free them. */
    public NDManager newManager() {
        return manager.newSubManager();
    }

    public ModelDescriptor descriptor() {
        return descriptor;
    }

    public String engineName() {
        return manager.getEngine().getEngineName();
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Frees the weights and every array still held by managers from {@link #newManager()}. */
    @Override
    public void close() {
        manager.close();
    }
}
