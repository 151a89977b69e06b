package io.inpaint.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import io.inpaint.engine.ModelLoadException;
import io.inpaint.engine.TestSupport;
import io.inpaint.engine.TestSupport.Tensor;
import io.inpaint.engine.nn.DeepFillGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WeightLoaderTest {

    private static final int CNUM = 2;

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void setsEveryParameter(String engine) throws IOException {
        Map<String, Tensor> weights = TestSupport.randomWeights(CNUM, 3);
        Path file = dir.resolve("w.safetensors");
        TestSupport.writeSafeTensors(file, weights, "F32");
        try (NDManager manager = TestSupport.manager(engine)) {
            DeepFillGenerator generator = initialised(manager);
            WeightLoader.load(file, generator.namedParameters());
            for (Map.Entry<String, Parameter> e : generator.namedParameters().entrySet()) {
                assertArrayEquals(weights.get(e.getKey()).values(), e.getValue().getArray().toFloatArray(), e.getKey());
            }
        }
    }

    @Test
    void refusesWrongShapeNamingTensorAndBothShapes() throws IOException {
        Map<String, Tensor> weights = TestSupport.randomWeights(CNUM, 3);
        weights.put("conv3.weight", new Tensor(new long[] {4, 4, 3, 1}, new float[48]));
        assertRefused(weights, "tensor conv3.weight has shape (4, 4, 3, 1) but the network expects (4, 4, 3, 3)");
    }

    @Test
    void refusesMissingTensor() throws IOException {
        Map<String, Tensor> weights = TestSupport.randomWeights(CNUM, 3);
        weights.remove("pmconv9.bias");
        assertRefused(weights, "missing tensor pmconv9.bias (expected shape (8))");
    }

    @Test
    void refusesUnexpectedTensor() throws IOException {
        Map<String, Tensor> weights = TestSupport.randomWeights(CNUM, 3);
        weights.put("pmconv7.weight", new Tensor(new long[] {8, 8, 3, 3}, new float[576]));
        assertRefused(weights, "unexpected tensor pmconv7.weight with shape (8, 8, 3, 3)");
    }

    @Test
    void refusesFileOfAnotherWidth() throws IOException {
        // a cnum-4 file for a cnum-2 network: every tensor but the last layers' biases is reported
        assertRefused(TestSupport.randomWeights(4, 3), "tensor conv1.weight has shape (4, 5, 5, 5) but the network expects (2, 5, 5, 5)");
    }

    @Test
    void refusesCorruptFileBeforeTouchingParameters() throws IOException {
        Path file = Files.write(dir.resolve("corrupt.safetensors"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0, 0, 0});
        ModelLoadException e = assertThrows(
                ModelLoadException.class, () -> WeightLoader.load(file, new DeepFillGenerator(CNUM).namedParameters()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private void assertRefused(Map<String, Tensor> weights, String expected) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        TestSupport.writeSafeTensors(file, weights, "F32");
        ModelLoadException e = assertThrows(
                ModelLoadException.class, () -> WeightLoader.load(file, new DeepFillGenerator(CNUM).namedParameters()));
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    }

    private static DeepFillGenerator initialised(NDManager manager) {
        DeepFillGenerator generator = new DeepFillGenerator(CNUM);
        generator.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 8, 8), new Shape(1, 1, 8, 8));
        return generator;
    }
}
