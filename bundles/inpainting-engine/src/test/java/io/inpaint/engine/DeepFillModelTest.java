package io.inpaint.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeepFillModelTest {

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void loadsAndRunsWithoutGradients(String engine) throws IOException {
        Path modelJson = TestSupport.writeModel(dir, 4, 1);
        try (DeepFillModel model = DeepFillModel.load(modelJson, engine, null)) {
            assertEquals(engine, model.engineName());
            assertEquals(4, model.descriptor().cnum());
            assertEquals(dir.resolve("weights.safetensors").toAbsolutePath(), model.descriptor().weights());
            NDList out;
            try (NDManager request = model.newManager()) {
                NDArray x = request.randomUniform(-1, 1, new Shape(1, 3, 32, 48));
                NDArray mask = request.zeros(new Shape(1, 1, 32, 48));
                mask.set(new ai.djl.ndarray.index.NDIndex(":, :, 8:24, 16:32"), 1f);
                out = model.forward(x, mask);
                assertEquals(new Shape(1, 3, 32, 48), out.get(1).getShape());
                for (NDArray a : out) {
                    assertFalse(a.hasGradient(), "inference output records no gradient");
                    assertEquals(request, a.getManager(), "outputs belong to the caller's manager");
                }
                assertFalse(x.isReleased() || mask.isReleased(), "inputs stay with the caller");
            }
            assertTrue(out.stream().allMatch(NDArray::isReleased), "closing the request's manager frees the outputs");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.inpaint.engine.TestSupport#engines")
    void defaultDeviceFallsBackToCpuWithoutGpu(String engine) throws IOException {
        Engine e = Engine.getEngine(engine);
        assertEquals(0, e.getGpuCount(), "this machine has no GPU for " + engine);
        assertEquals(Device.cpu(), DeepFillModel.chooseDevice(e, null));
        assertEquals(Device.cpu(), DeepFillModel.chooseDevice(e, Device.cpu()));
        ModelLoadException noGpu = assertThrows(ModelLoadException.class, () -> DeepFillModel.chooseDevice(e, Device.gpu()));
        assertTrue(noGpu.getMessage().contains("gpu(0)"), noGpu.getMessage());
        try (DeepFillModel model = DeepFillModel.load(TestSupport.writeModel(dir, 2, 1), engine, null)) {
            assertEquals(Device.cpu(), model.device());
        }
    }

    /** Unless the environment sets them, a loaded model's engines run with bounded kernel caches. */
    @Test
    void loadingBoundsTheEnginesKernelCaches() throws IOException {
        try (DeepFillModel model = DeepFillModel.load(TestSupport.writeModel(dir, 2, 1), null, null)) {
            KernelCaches.LIMITS.forEach((name, value) -> assertEquals(
                    System.getenv(name) == null ? value : System.getenv(name), KernelCaches.get(name), name));
        }
    }

    @Test
    void defaultEngineIsMxnet() throws IOException {
        try (DeepFillModel model = DeepFillModel.load(TestSupport.writeModel(dir, 2, 1), null, null)) {
            assertEquals("MXNet", model.engineName());
        }
    }

    @Test
    void refusesBadInputsAsInvalidInput() throws IOException {
        try (DeepFillModel model = DeepFillModel.load(TestSupport.writeModel(dir, 2, 1), "PyTorch", null);
                NDManager request = model.newManager()) {
            NDArray x = request.zeros(new Shape(1, 3, 20, 16));
            NDArray mask = request.zeros(new Shape(1, 1, 20, 16));
            assertThrows(InvalidInputException.class, () -> model.forward(x, mask));
            NDArray x16 = request.zeros(new Shape(1, 3, 16, 16));
            assertThrows(InvalidInputException.class, () -> model.forward(x16, request.zeros(new Shape(1, 3, 16, 16))));
            assertThrows(InvalidInputException.class,
                    () -> model.forward(x16, request.zeros(new Shape(1, 1, 16, 16), DataType.INT32)));
            assertThrows(InvalidInputException.class, () -> model.forward(new NDList(x16)));
        }
    }

    @Test
    void refusesUnknownEngine() throws IOException {
        Path modelJson = TestSupport.writeModel(dir, 2, 1);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> DeepFillModel.load(modelJson, "TensorFlow", null));
        assertTrue(e.getMessage().contains("TensorFlow"), e.getMessage());
    }

    @Test
    void refusesMissingWeightFile() throws IOException {
        Path modelJson = TestSupport.writeDescriptor(dir, 2, "nowhere.safetensors");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> DeepFillModel.load(modelJson, "PyTorch", null));
        assertTrue(e.getMessage().contains("nowhere.safetensors"), e.getMessage());
    }

    @Test
    void refusesWeightsOfAnotherWidth() throws IOException {
        TestSupport.writeModel(dir, 4, 1);
        Path modelJson = TestSupport.writeDescriptor(dir, 2, "weights.safetensors");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> DeepFillModel.load(modelJson, "PyTorch", null));
        assertTrue(e.getMessage().contains("conv1.weight has shape (4, 5, 5, 5) but the network expects (2, 5, 5, 5)"), e.getMessage());
    }

    @Test
    void readsTheShippedDescriptor() {
        Path shipped = TestSupport.repositoryRoot().resolve("models/deepfill-v1/model.json");
        ModelDescriptor d = ModelDescriptor.read(shipped);
        assertEquals("deepfill-v1", d.architecture());
        assertEquals(1, d.architectureVersion());
        assertEquals(32, d.cnum());
        assertEquals(shipped.getParent().resolve("deepfill-v1.safetensors"), d.weights());
        assertTrue(Files.isRegularFile(d.weights()));
        assertFalse(d.training().status().isEmpty());
    }

    @Test
    void refusesBadDescriptors() throws IOException {
        assertDescriptorRefused("{\"architecture\":\"deepfill-v2\",\"architectureVersion\":1,\"cnum\":32,\"weights\":\"w\"}",
                "architecture is \"deepfill-v2\"");
        assertDescriptorRefused("{\"architecture\":\"deepfill-v1\",\"architectureVersion\":2,\"cnum\":32,\"weights\":\"w\"}",
                "architectureVersion is 2");
        assertDescriptorRefused("{\"architecture\":\"deepfill-v1\",\"architectureVersion\":1,\"cnum\":32}",
                "\"weights\" is missing");
        assertDescriptorRefused("{\"architecture\":\"deepfill-v1\",\"architectureVersion\":1,\"cnum\":3,\"weights\":\"w\"}",
                "cnum must be");
        assertDescriptorRefused("{\"architecture\":\"deepfill-v1\",\"architectureVersion\":1,\"cnum\":\"x\",\"weights\":\"w\"}",
                "\"cnum\" is missing or not a number");
        assertDescriptorRefused("{\"architecture\":", "not valid JSON");
        ModelLoadException missing = assertThrows(ModelLoadException.class, () -> ModelDescriptor.read(dir.resolve("absent.json")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    private void assertDescriptorRefused(String json, String why) throws IOException {
        Path file = Files.writeString(dir.resolve("model.json"), json);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelDescriptor.read(file));
        assertTrue(e.getMessage().contains(why) && e.getMessage().contains(file.toString()), e.getMessage());
    }
}
