package io.inpaint.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpaint.engine.ModelLoadException;
import io.inpaint.engine.TestSupport;
import io.inpaint.engine.TestSupport.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir Path dir;

    @Test
    void readsF32AndF16Tensors() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", new Tensor(new long[] {2, 3}, new float[] {1, -2, 0.5f, 0, 65504, -0.25f}));
        tensors.put("b", new Tensor(new long[] {1}, new float[] {3}));
        for (String dtype : new String[] {"F32", "F16"}) {
            Path file = dir.resolve(dtype + ".safetensors");
            TestSupport.writeSafeTensors(file, tensors, dtype);
            SafeTensors read = SafeTensors.open(file);
            assertEquals(Map.of("architecture", "deepfill-v1"), read.metadata());
            assertEquals(java.util.List.of("a", "b"), java.util.List.copyOf(read.tensors().keySet()));
            assertArrayEquals(new long[] {2, 3}, read.tensors().get("a").shape());
            assertEquals(SafeTensors.DType.valueOf(dtype), read.tensors().get("a").dtype());
            assertArrayEquals(tensors.get("a").values(), read.floats("a"), dtype);
            assertArrayEquals(new float[] {3}, read.floats("b"), dtype);
        }
    }

    @Test
    void convertsHalfPrecisionExactly() {
        assertEquals(1f, SafeTensors.halfToFloat((short) 0x3c00));
        assertEquals(-2f, SafeTensors.halfToFloat((short) 0xc000));
        assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, SafeTensors.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(0x1p-14f, SafeTensors.halfToFloat((short) 0x0400), "smallest normal");
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(SafeTensors.halfToFloat((short) 0x8000)));
        assertEquals(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(SafeTensors.halfToFloat((short) 0x7e00)));
    }

    @Test
    void readsBf16() throws IOException {
        String header = "{\"t\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        ByteBuffer data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3f80).putShort((short) 0xc040); // 1.0, -3.0
        Path file = write("bf16.safetensors", header, data.array());
        assertArrayEquals(new float[] {1, -3}, SafeTensors.open(file).floats("t"));
    }

    @Test
    void refusesRandomBytes() throws IOException {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        assertRefused(Files.write(dir.resolve("noise.safetensors"), noise), "header length");
    }

    @Test
    void refusesPngRenamed() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1};
        assertRefused(Files.write(dir.resolve("image.safetensors"), png), "header length");
    }

    @Test
    void refusesTinyFile() throws IOException {
        assertRefused(Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3}), "fewer than the 8-byte");
    }

    @Test
    void refusesTruncatedFile() throws IOException {
        Path whole = dir.resolve("whole.safetensors");
        TestSupport.writeSafeTensors(whole, Map.of("w", new Tensor(new long[] {4, 4}, new float[16])), "F32");
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(bytes, bytes.length - 10));
        assertRefused(cut, "truncated: tensor \"w\"");
        Path headerCut = Files.write(dir.resolve("header-cut.safetensors"), Arrays.copyOf(bytes, 20));
        assertRefused(headerCut, "header length");
    }

    @Test
    void refusesUnparsableHeader() throws IOException {
        assertRefused(write("json.safetensors", "{\"a\": [1, 2", new byte[0]), "not valid JSON");
        assertRefused(write("array.safetensors", "[1, 2, 3]", new byte[0]), "not an object");
    }

    @Test
    void refusesMalformedEntries() throws IOException {
        assertRefused(
                write("dtype.safetensors", "{\"t\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]),
                "dtype I64");
        assertRefused(
                write("size.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
                "needs 12 bytes");
        assertRefused(
                write("range.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[8]),
                "truncated");
        assertRefused(write("missing.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", new byte[8]), "\"t\" is malformed");
        assertRefused(write("type.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":\"big\",\"data_offsets\":[0,8]}}", new byte[8]), "malformed");
    }

    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        return Files.write(dir.resolve(name), out.array());
    }

    private static void assertRefused(Path file, String why) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafeTensors.open(file));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(why), "says \"" + why + "\": " + e.getMessage());
    }
}
