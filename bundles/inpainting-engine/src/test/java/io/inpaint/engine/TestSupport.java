package io.inpaint.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import io.inpaint.engine.nn.DeepFillGenerator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Shared by the engine's tests: the engines to run on, a tiny safetensors writer, random generators. */
public final class TestSupport {

    private TestSupport() {}

    /** Every test that touches NDArrays runs on both engines: {@code @MethodSource("io.inpaint.engine.TestSupport#engines")}. */
    public static Stream<String> engines() {
        return Stream.of("MXNet", "PyTorch");
    }

    public static NDManager manager(String engine) {
        return Engine.getEngine(engine).newBaseManager();
    }

    /** The repository root (surefire runs in the module folder). */
    public static Path repositoryRoot() {
        return Path.of("").toAbsolutePath().resolve("../..").normalize();
    }

    /** A tensor to write: shape and row-major values. */
    public record Tensor(long[] shape, float[] values) {
        public static Tensor of(NDArray array) {
            return new Tensor(array.getShape().getShape(), array.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    /** Writes a safetensors file with F32 or F16 tensors (F16 by rounding the float bits, enough for tests). */
    public static void writeSafeTensors(Path file, Map<String, Tensor> tensors, String dtype) throws IOException {
        int bytesPer = dtype.equals("F16") ? 2 : 4;
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"architecture\":\"deepfill-v1\"}");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long end = offset + (long) e.getValue().values().length * bytesPer;
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":[");
            long[] shape = e.getValue().shape();
            for (int i = 0; i < shape.length; i++) {
                header.append(i == 0 ? "" : ",").append(shape[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (Tensor t : tensors.values()) {
            for (float v : t.values()) {
                if (bytesPer == 2) {
                    out.putShort(floatToHalf(v));
                } else {
                    out.putFloat(v);
                }
            }
        }
        Files.write(file, out.array());
    }

    /** Round-to-nearest float to binary16 for normal-range values (test data only). */
    public static short floatToHalf(float value) {
        int bits = Float.floatToIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        float abs = Math.abs(value);
        if (abs < 0x1p-14f) {
            return (short) (sign | Math.round(abs * 0x1p24f));
        }
        int rounded = (bits & 0x7fffffff) + 0x1000;
        return (short) (sign | (((rounded >>> 23) - 112) << 10) | ((rounded >>> 13) & 0x3ff));
    }

    /** Random weights for every parameter of a cnum generator, named as in the weight file. */
    public static Map<String, Tensor> randomWeights(int cnum, long seed) {
        Random random = new Random(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : new DeepFillGenerator(cnum).namedParameters().entrySet()) {
            long[] shape = e.getValue().getShape().getShape();
            float[] values = new float[Math.toIntExact(new Shape(shape).size())];
            double scale = shape.length == 4 ? 1.0 / Math.sqrt(shape[1] * shape[2] * shape[3]) : 0.1;
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * scale);
            }
            weights.put(e.getKey(), new Tensor(shape, values));
        }
        return weights;
    }

    /** Writes random cnum weights and a model.json naming them into {@code folder}; returns the model.json. */
    public static Path writeModel(Path folder, int cnum, long seed) throws IOException {
        writeSafeTensors(folder.resolve("weights.safetensors"), randomWeights(cnum, seed), "F32");
        return writeDescriptor(folder, cnum, "weights.safetensors");
    }

    public static Path writeDescriptor(Path folder, int cnum, String weights) throws IOException {
        Path json = folder.resolve("model.json");
        Files.writeString(
                json,
                "{\"name\":\"test\",\"architecture\":\"deepfill-v1\",\"architectureVersion\":1,\"cnum\":" + cnum
                        + ",\"weights\":\"" + weights.replace("\\", "\\\\")
                        + "\",\"training\":{\"status\":\"untrained-initial\",\"steps\":0,\"summary\":\"test\"}}");
        return json;
    }
}
