package io.inpaint.engine.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.inpaint.engine.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Read-only view of a safetensors file: u64 little-endian header length, a JSON header
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}, then the raw
 * little-endian tensor data. The data section is memory-mapped; F16, BF16 and F32 tensors are read as float.
 * Anything that does not follow the format is refused with a {@link ModelLoadException} naming the file.
 */
public final class SafeTensors {

    /** Real headers of a few hundred tensors are a few tens of KB; anything near this is not a safetensors file. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final String METADATA_KEY = "__metadata__";

    /** Element types this reader converts to float. */
    public enum DType {
        F16(2),
        BF16(2),
        F32(4);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** One tensor's entry of the header; {@code begin} is relative to the start of the data section. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

        public long elementCount() {
            long count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            return count;
        }

        /** Shape written as {@code (a, b, c)}, as in error messages. */
        public String shapeText() {
            return shapeText(shape);
        }

        public static String shapeText(long[] shape) {
            StringBuilder text = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) {
                text.append(i == 0 ? "" : ", ").append(shape[i]);
            }
            return text.append(')').toString();
        }
    }

    private final Path file;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final ByteBuffer data;

    private SafeTensors(Path file, Map<String, TensorInfo> tensors, Map<String, String> metadata, ByteBuffer data) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
        this.data = data;
    }

    /** Reads and validates the header and maps the data section. */
    public static SafeTensors open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw refuse(file, "it has only " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw refuse(
                        file,
                        "its header length field says " + Long.toUnsignedString(headerLength)
                                + " bytes, which does not fit a file of " + size + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String header = new String(headerBytes.array(), StandardCharsets.UTF_8);
            long dataStart = 8 + headerLength;
            long dataLength = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(file, header, dataLength, metadata);
            MappedByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength);
            return new SafeTensors(
                    file,
                    Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata),
                    data.order(ByteOrder.LITTLE_ENDIAN));
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read weight file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position) throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int n = channel.read(target, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path file, String header, long dataLength, Map<String, String> metadata) {
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(header);
            if (!parsed.isJsonObject()) {
                throw refuse(file, "its header is JSON but not an object");
            }
            root = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw refuse(file, "its header is not valid JSON (" + e.getMessage() + ")");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : root.entrySet()) {
            String name = entry.getKey();
            try {
                if (METADATA_KEY.equals(name)) {
                    for (Map.Entry<String, JsonElement> m : entry.getValue().getAsJsonObject().entrySet()) {
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                } else {
                    tensors.put(name, parseTensor(file, name, entry.getValue().getAsJsonObject(), dataLength));
                }
            } catch (IllegalStateException | UnsupportedOperationException | NullPointerException
                    | ArithmeticException e) {
                // Gson's getAs* and multiplyExact report malformed entries this way.
                throw refuse(file, "its header entry \"" + name + "\" is malformed (" + e.getMessage() + ")");
            }
        }
        return tensors;
    }

    private static TensorInfo parseTensor(Path file, String name, JsonObject entry, long dataLength) {
        String dtypeName = entry.get("dtype").getAsString();
        DType dtype;
        try {
            dtype = DType.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw refuse(file, "tensor \"" + name + "\" has dtype " + dtypeName + "; only F16, BF16 and F32 are supported");
        }
        JsonArray shapeJson = entry.get("shape").getAsJsonArray();
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
            if (shape[i] < 0) {
                throw refuse(file, "tensor \"" + name + "\" has a negative dimension in shape " + shapeJson);
            }
        }
        JsonArray offsets = entry.get("data_offsets").getAsJsonArray();
        if (offsets.size() != 2) {
            throw refuse(file, "tensor \"" + name + "\" needs data_offsets [begin, end], got " + offsets);
        }
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected = Math.multiplyExact(info.elementCount(), dtype.bytes());
        if (begin < 0 || end < begin || end - begin != expected) {
            throw refuse(
                    file,
                    "tensor \"" + name + "\" has data_offsets [" + begin + ", " + end + "] but " + dtypeName
                            + " shape " + info.shapeText() + " needs " + expected + " bytes");
        }
        if (end > dataLength) {
            throw refuse(
                    file,
                    "it is truncated: tensor \"" + name + "\" ends at data byte " + end + " but the file holds only "
                            + dataLength + " data bytes");
        }
        return info;
    }

    private static ModelLoadException refuse(Path file, String why) {
        return new ModelLoadException("Not a valid safetensors file: " + file + ": " + why);
    }

    public Path file() {
        return file;
    }

    /** Tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The header's {@code __metadata__} (empty if absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's values converted to float, row-major. */
    public float[] floats(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new ModelLoadException("Weight file " + file + " has no tensor \"" + name + "\"");
        }
        int count = Math.toIntExact(info.elementCount());
        ByteBuffer bytes = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        bytes.position(Math.toIntExact(info.begin()));
        float[] out = new float[count];
        switch (info.dtype()) {
            case F32 -> bytes.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(bytes.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16);
                }
            }
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa * 2^-24, exact in float
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    @Override
    public String toString() {
        return "SafeTensors[" + file + ", " + tensors.size() + " tensors, metadata " + metadata + "]";
    }
}
