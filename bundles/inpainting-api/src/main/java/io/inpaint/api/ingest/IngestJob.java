package io.inpaint.api.ingest;

import java.util.Map;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InvalidRequestException;

/**
 * The ingestion job's contract, shared by whoever queues the job (the inbox trigger, the AEM workflow step) and
 * the job executor of the Sling bundle: its topic, its properties and how they are read.
 *
 * <p>Properties: {@value #IMAGE} and {@value #MASK}, repository paths, required; optional {@value #RENDITION},
 * the rendition's name without extension (the result's extension is appended; default {@code inpainted-<millis>}),
 * and the options of {@link InpaintingOptions#TEXT_OPTIONS} under their names.
 */
public final class IngestJob {

    /** The job topic; the feature configures its queue (ordered, one at a time, retries). */
    public static final String TOPIC = "io/inpaint/ingest";

    public static final String IMAGE = "image";
    public static final String MASK = "mask";
    public static final String RENDITION = "rendition";

    /** The mask beside an image {@code <name>.<ext>} is {@code <name>}{@value #MASK_SUFFIX}. */
    public static final String MASK_SUFFIX = ".mask.png";

    private IngestJob() {
    }

    /**
     * The options in a job's properties. Values are read through their text, so that numbers a persisted job gives
     * back as Long, or as text, count the same.
     *
     * @throws InvalidRequestException an option that is not of its type or out of its range, named
     */
    public static InpaintingOptions options(Map<String, ?> properties) throws InvalidRequestException {
        return InpaintingOptions.parse(name -> {
            Object value = properties.get(name);
            return value == null ? null : value.toString();
        }).build();
    }

    /** The name of the mask of the image named {@code imageName} ({@code photo.jpg} gives {@code photo.mask.png}). */
    public static String maskName(String imageName) {
        int dot = imageName.lastIndexOf('.');
        return (dot > 0 ? imageName.substring(0, dot) : imageName) + MASK_SUFFIX;
    }

    /** Whether a file of this name is a mask by the convention, never an image to fill. */
    public static boolean isMaskName(String name) {
        return name.endsWith(MASK_SUFFIX);
    }
}
