package io.inpaint.engine.weights;

import ai.djl.nn.Parameter;

import io.inpaint.engine.ModelLoadException;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Copies a safetensors file into a network's parameters, matching by name. The file must hold exactly the
 * expected tensors with exactly the expected shapes; every discrepancy is listed in one {@link ModelLoadException}.
 */
public final class WeightLoader {

    private WeightLoader() {}

    /**
     * Sets every parameter from {@code file}.
     *
     * @param parameters twin name ({@code conv1.weight}, ...) to parameter; initialised FLOAT32 parameters (their
     *     arrays are overwritten in place, so they stay on their device)
     */
    public static void load(Path file, Map<String, Parameter> parameters) {
        SafeTensors weights = SafeTensors.open(file);
        check(weights, parameters);
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            entry.getValue().getArray().set(FloatBuffer.wrap(weights.floats(entry.getKey())));
        }
    }

    private static void check(SafeTensors weights, Map<String, Parameter> parameters) {
        List<String> problems = new ArrayList<>();
        Map<String, SafeTensors.TensorInfo> tensors = weights.tensors();
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            String name = entry.getKey();
            long[] expected = entry.getValue().getShape().getShape();
            SafeTensors.TensorInfo found = tensors.get(name);
            if (found == null) {
                problems.add("missing tensor " + name + " (expected shape " + SafeTensors.TensorInfo.shapeText(expected) + ")");
            } else if (!Arrays.equals(found.shape(), expected)) {
                problems.add(
                        "tensor " + name + " has shape " + found.shapeText() + " but the network expects "
                                + SafeTensors.TensorInfo.shapeText(expected));
            }
        }
        for (SafeTensors.TensorInfo tensor : tensors.values()) {
            if (!parameters.containsKey(tensor.name())) {
                problems.add("unexpected tensor " + tensor.name() + " with shape " + tensor.shapeText());
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelLoadException(
                    "Weight file " + weights.file() + " does not fit the network: " + String.join("; ", problems));
        }
    }
}
