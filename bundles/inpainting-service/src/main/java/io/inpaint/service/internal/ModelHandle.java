package io.inpaint.service.internal;

import java.nio.file.Path;
import java.util.Locale;

import ai.djl.Device;
import io.inpaint.engine.DeepFillModel;
import io.inpaint.engine.Inpainter;
import io.inpaint.engine.ModelDescriptor;
import io.inpaint.engine.ModelLoadException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model, with the engine and device it runs on. Used by the inference queue's worker only; the service
 * closes one it swapped out through that queue, after the work that may still use it.
 */
final class ModelHandle {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHandle.class);

    private final Inpainter inpainter;
    private final String engine;
    private final Device device;
    private final ClassLoader classLoader;

    private ModelHandle(Inpainter inpainter, String engine, Device device, ClassLoader classLoader) {
        this.inpainter = inpainter;
        this.engine = engine;
        this.device = device;
        this.classLoader = classLoader;
    }

    /**
     * @param deviceSetting {@code auto}, {@code cpu}, {@code gpu} or {@code gpuN}
     * @param classLoader the context class loader DJL needs to find its engines
     * @throws ModelLoadException the model, engine or device is not available
     */
    static ModelHandle load(Path modelJson, String engine, String deviceSetting, ClassLoader classLoader) {
        return ContextClassLoader.call(classLoader, () -> {
            Device device = device(engine, deviceSetting);
            return new ModelHandle(Inpainter.open(modelJson, engine, device), engine, device, classLoader);
        });
    }

    /** For auto, the engine's first GPU when it sees one, else the CPU. */
    private static Device device(String engine, String setting) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("auto")) {
            return DeepFillModel.engine(engine).getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.matches("gpu\\d*")) {
            return Device.gpu(s.length() == 3 ? 0 : Integer.parseInt(s.substring(3)));
        }
        throw new ModelLoadException("device must be auto, cpu, gpu or gpuN, got \"" + setting + "\"");
    }

    Inpainter inpainter() {
        return inpainter;
    }

    ModelDescriptor descriptor() {
        return inpainter.descriptor();
    }

    String engine() {
        return engine;
    }

    /** Where the model runs, e.g. {@code cpu()} or {@code gpu(0)}. */
    String device() {
        return device.toString();
    }

    void close() {
        ContextClassLoader.call(classLoader, () -> {
            inpainter.close();
            return null;
        });
        LOG.info("Closed model {} ({} on {})", descriptor().file(), engine, device);
    }
}
