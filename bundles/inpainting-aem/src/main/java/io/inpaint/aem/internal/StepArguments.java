package io.inpaint.aem.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.adobe.granite.workflow.WorkflowException;

/**
 * The step's PROCESS_ARGS: {@code key=value} pairs separated by commas or new lines, all optional.
 * <ul>
 * <li>{@code mask}: {@code sibling} (default: {@code <name>.mask.png} in the asset's folder), an absolute path, or
 * {@code rendition:<name>} (a rendition of the asset itself);</li>
 * <li>{@code rendition}: the result's rendition name without extension (default {@code inpainted});</li>
 * <li>the ingestion job's options: {@code threshold}, {@code dilate}, {@code maxSide}, {@code contextMargin},
 * {@code jpegQuality}, {@code maskMode}, {@code keepMetadata}.</li>
 * </ul>
 * Everything is checked here, so that a typo fails the workflow step rather than a job later.
 */
final class StepArguments {

    enum MaskSource { SIBLING, PATH, RENDITION }

    static final String MASK_SUFFIX = ".mask.png";
    static final String DEFAULT_RENDITION = "inpainted";
    private static final String RENDITION_PREFIX = "rendition:";

    /** Inclusive ranges, as io.inpaint.api.InpaintingOptions documents them. */
    private static final Map<String, int[]> NUMBERS = Map.of(
            "threshold", new int[] {0, 254},
            "dilate", new int[] {0, 1024},
            "maxSide", new int[] {64, 4096},
            "contextMargin", new int[] {0, 4096},
            "jpegQuality", new int[] {1, 100});
    private static final Set<String> MASK_MODES = Set.of("auto", "luminance", "alpha");
    private static final String KNOWN = "mask, rendition, threshold, dilate, maxSide, contextMargin, jpegQuality, "
            + "maskMode, keepMetadata";

    final MaskSource maskSource;
    /** The path for {@link MaskSource#PATH}, the rendition name for {@link MaskSource#RENDITION}. */
    final String maskValue;
    final String rendition;
    /** Job properties for the options given, named and typed as the ingestion job reads them. */
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
                        && isPlainName(value.substring(RENDITION_PREFIX.length()))) {
                    source = MaskSource.RENDITION;
                    maskValue = value.substring(RENDITION_PREFIX.length());
                } else {
                    throw bad(text, "mask must be sibling, an absolute path or rendition:<name>, got '" + value + "'");
                }
            } else if ("rendition".equals(key)) {
                if (!isPlainName(value)) {
                    throw bad(text, "rendition must be a plain node name (no / : [ ] | * or quotes), got '"
                            + value + "'");
                }
                rendition = value;
            } else if (NUMBERS.containsKey(key)) {
                options.put(key, number(text, key, value));
            } else if ("maskMode".equals(key)) {
                String mode = value.toLowerCase(Locale.ROOT);
                if (!MASK_MODES.contains(mode)) {
                    throw bad(text, "maskMode must be auto, luminance or alpha, got '" + value + "'");
                }
                options.put(key, mode);
            } else if ("keepMetadata".equals(key)) {
                if (!"true".equalsIgnoreCase(value) && !"false".equalsIgnoreCase(value)) {
                    throw bad(text, "keepMetadata must be true or false, got '" + value + "'");
                }
                options.put(key, Boolean.valueOf(value));
            } else {
                throw bad(text, "unknown argument '" + key + "'; known: " + KNOWN);
            }
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
                String name = assetPath.substring(slash + 1);
                int dot = name.lastIndexOf('.');
                return assetPath.substring(0, slash + 1) + (dot > 0 ? name.substring(0, dot) : name) + MASK_SUFFIX;
        }
    }

    /** The same rule as the ingestion job's: the name cannot leave the renditions folder nor break JCR syntax. */
    static boolean isPlainName(String name) {
        return !name.isBlank() && !name.startsWith(".")
                && name.chars().noneMatch(c -> c < ' ' || "/:[]|*\\\"'".indexOf(c) >= 0);
    }

    private static Integer number(String text, String key, String value) throws WorkflowException {
        int[] range = NUMBERS.get(key);
        try {
            int n = Integer.parseInt(value);
            if (n >= range[0] && n <= range[1]) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below, with the range
        }
        throw bad(text, key + " must be a whole number from " + range[0] + " to " + range[1] + ", got '" + value
                + "'");
    }

    private static WorkflowException bad(String text, String why) {
        return new WorkflowException("Inpaint asset: bad PROCESS_ARGS '" + text + "': " + why);
    }
}
