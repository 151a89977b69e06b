package io.inpaint.engine;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A model's {@code model.json}: which network it is and where its weights are.
 *
 * @param file the descriptor itself
 * @param name display name
 * @param architecture always {@value #ARCHITECTURE}
 * @param architectureVersion always {@value #ARCHITECTURE_VERSION}
 * @param cnum the network's base channel count
 * @param weights the safetensors file, resolved against the descriptor's folder
 * @param training how the weights were made (status {@code untrained-initial} or {@code trained})
 */
public record ModelDescriptor(
        Path file, String name, String architecture, int architectureVersion, int cnum, Path weights, Training training) {

    public static final String ARCHITECTURE = "deepfill-v1";
    public static final int ARCHITECTURE_VERSION = 1;

    /** The descriptor's {@code training} block; absent fields read as status "unknown", 0 steps, empty summary. */
    public record Training(String status, long steps, String summary) {}

    /** Reads and validates a descriptor. */
    public static ModelDescriptor read(Path modelJson) {
        JsonObject json;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(modelJson, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw invalid(modelJson, "it is not a JSON object");
            }
            json = parsed.getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("Model descriptor " + modelJson + " does not exist", e);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read model descriptor " + modelJson + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw invalid(modelJson, "it is not valid JSON (" + e.getMessage() + ")");
        }
        try {
            String architecture = requiredString(modelJson, json, "architecture");
            if (!ARCHITECTURE.equals(architecture)) {
                throw invalid(modelJson, "architecture is \"" + architecture + "\", this engine runs \"" + ARCHITECTURE + "\"");
            }
            int version = requiredInt(modelJson, json, "architectureVersion");
            if (version != ARCHITECTURE_VERSION) {
                throw invalid(modelJson, "architectureVersion is " + version + ", this engine supports " + ARCHITECTURE_VERSION);
            }
            int cnum = requiredInt(modelJson, json, "cnum");
            if (cnum < 2 || cnum % 2 != 0) {
                throw invalid(modelJson, "cnum must be an even number >= 2, got " + cnum);
            }
            String weightsName = requiredString(modelJson, json, "weights");
            Path folder = modelJson.toAbsolutePath().getParent();
            String name = json.has("name") ? json.get("name").getAsString() : folder.getFileName().toString();
            return new ModelDescriptor(
                    modelJson, name, architecture, version, cnum, folder.resolve(weightsName).normalize(), training(json));
        } catch (IllegalStateException | UnsupportedOperationException | ClassCastException | NumberFormatException e) {
            // Gson's getAs* report a field of the wrong JSON type this way.
            throw invalid(modelJson, "a field has the wrong type (" + e.getMessage() + ")");
        }
    }

    private static Training training(JsonObject json) {
        JsonObject t = json.has("training") ? json.getAsJsonObject("training") : new JsonObject();
        return new Training(
                t.has("status") ? t.get("status").getAsString() : "unknown",
                t.has("steps") ? t.get("steps").getAsLong() : 0,
                t.has("summary") ? t.get("summary").getAsString() : "");
    }

    private static String requiredString(Path file, JsonObject json, String field) {
        if (!json.has(field) || json.get(field).isJsonNull()) {
            throw invalid(file, "field \"" + field + "\" is missing");
        }
        return json.get(field).getAsString();
    }

    private static int requiredInt(Path file, JsonObject json, String field) {
        if (!json.has(field) || !json.get(field).isJsonPrimitive() || !json.get(field).getAsJsonPrimitive().isNumber()) {
            throw invalid(file, "field \"" + field + "\" is missing or not a number");
        }
        return json.get(field).getAsInt();
    }

    private static ModelLoadException invalid(Path file, String why) {
        return new ModelLoadException("Invalid model descriptor " + file + ": " + why);
    }
}
