package io.inpaint.api;

/**
 * The one rule for the names of the renditions the plugin writes, whoever gives them (a request, an ingestion job,
 * a workflow step's arguments).
 */
public final class RenditionName {

    /**
     * The rendition name of an asset's original binary. Never written: a written rendition's name always ends in
     * its picture's extension.
     */
    public static final String ORIGINAL = "original";

    private RenditionName() {
    }

    /**
     * Whether {@code name} is a plain node name: not blank, no surrounding spaces, not starting with a dot, and none
     * of {@code / : [ ] | * \ " '} nor control characters, so that it cannot leave the renditions folder nor break
     * JCR syntax.
     */
    public static boolean isPlain(String name) {
        return name != null && !name.isBlank() && name.equals(name.trim()) && !name.startsWith(".")
                && name.chars().noneMatch(c -> c < ' ' || "/:[]|*\\\"'".indexOf(c) >= 0);
    }

    /**
     * @param what how the message calls the name, e.g. "rendition"
     * @throws InvalidRequestException the name is not {@linkplain #isPlain plain}
     */
    public static String check(String name, String what) throws InvalidRequestException {
        if (!isPlain(name)) {
            throw new InvalidRequestException(what + " must be a plain node name (no / : [ ] | * \\ or quotes, no"
                    + " leading dot or surrounding spaces), got '" + name + "'");
        }
        return name;
    }
}
