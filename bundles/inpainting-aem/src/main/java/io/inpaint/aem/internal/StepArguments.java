package io.inpaint.aem.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import com.adobe.granite.workflow.WorkflowException;

import io.inpaint.api.InpaintingOptions;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.RenditionName;
import io.inpaint.api.ingest.IngestJob;

/**
 * The step's PROCESS_ARGS: {@code key=value} pairs separated by commas or new lines, all optional.
 * <ul>
 * <li>{@code mask}: {@code sibling} (default: {@code <name>.mask.png} in the asset's folder), an absolute path, or
 * {@code rendition:<name>} (a rendition of the asset itself);</li>
 * <li>{@code rendition}: the result's rendition name without extension (default {@code inpainted});</li>
 * <li>the ingestion job's options ({@link InpaintingOptions#TEXT_OPTIONS}), passed to the job as given.</li>
 * </ul>
 * Everything is checked here, by the job's own rules ({@link IngestJob#options}, {@link RenditionName}), so that a
 * typo fails the workflow step rather than a job later.
 */
final class StepArguments {

    enum MaskSource { SIBLING, PATH, RENDITION }

    static final String DEFAULT_RENDITION = "inpainted";
    private static final String RENDITION_PREFIX = "rendition:";
    private static final String KNOWN = "mask, rendition, " + String.join(", ", InpaintingOptions.TEXT_OPTIONS);

    final MaskSource maskSource;
    /** The path for {@link MaskSource#PATH}, the rendition name for {@link MaskSource#RENDITION}. */
    final String maskValue;
    final String rendition;
    /** Job properties for the options given, as text, named as the ingestion job reads them. */
    final Map<String, Object> options;

    private StepArguments(MaskSource maskSource, String maskValue, String rendition, Map<String, Object> options) {
        this.maskSource = maskSource;
        this.maskValue = maskValue;
        this.rendition = rendition;
        this.options = Collections.unmodifiableMap(options);
    }

    static StepArguments parse(String text) throws WorkflowException {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String part : (text == null ? "" : text).split("[,\\r\\n]")) {
            String pair = part.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw bad(text, "'" + pair + "' is not key=value");
            }
            String key = pair.substring(0, eq).trim();
            if (pairs.put(key, pair.substring(eq + 1).trim()) != null) {
                throw bad(text, key + " is given twice");
            }
        }

        MaskSource source = MaskSource.SIBLING;
        String maskValue = null;
        String rendition = DEFAULT_RENDITION;
        Map<String, Object> options = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            String key = pair.getKey();
            String value = pair.getValue();
            if ("mask".equals(key)) {
                if ("sibling".equals(value)) {
                    source = MaskSource.SIBLING;
                } else if (value.startsWith("/") && value.length() > 1) {
                    source = MaskSource.PATH;
                    maskValue = value;
                } else if (value.startsWith(RENDITION_PREFIX)
                        && RenditionName.isPlain(value.substring(RENDITION_PREFIX.length()))) {
                    source = MaskSource.RENDITION;
                    maskValue = value.substring(RENDITION_PREFIX.length());
                } else {
                    throw bad(text, "mask must be sibling, an absolute path or rendition:<name>, got '" + value + "'");
                }
            } else if (IngestJob.RENDITION.equals(key)) {
                rendition = value;
            } else if (InpaintingOptions.TEXT_OPTIONS.contains(key)) {
                options.put(key, value);
            } else {
                throw bad(text, "unknown argument '" + key + "'; known: " + KNOWN);
            }
        }
        try {
            RenditionName.check(rendition, IngestJob.RENDITION);
            IngestJob.options(options);
        } catch (InvalidRequestException e) {
            throw bad(text, e.getMessage());
        }
        return new StepArguments(source, maskValue, rendition, options);
    }

    /** Where the mask of the asset at {@code assetPath} is. */
    String maskPath(String assetPath) {
        switch (maskSource) {
            case PATH:
                return maskValue;
            case RENDITION:
                return assetPath + "/jcr:content/renditions/" + maskValue;
            default:
                int slash = assetPath.lastIndexOf('/');
                return assetPath.substring(0, slash + 1) + IngestJob.maskName(assetPath.substring(slash + 1));
        }
    }

    private static WorkflowException bad(String text, String why) {
        return new WorkflowException("Inpaint asset: bad PROCESS_ARGS '" + text + "': " + why);
    }
}
