package io.inpaint.api;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/** Where the result of {@link InpaintingService#inpaintAsset} is stored, written through the caller's own session. */
@ConsumerType
public interface AssetTarget {

    /**
     * Creates or replaces a rendition. Never called with {@link InpaintingService#ORIGINAL_RENDITION}.
     *
     * @param name the rendition name, a plain name without {@code /}
     * @param mimeType the MIME type of {@code data}
     * @param data the encoded picture
     * @return where it was written, e.g. the rendition's repository path
     */
    String writeRendition(String name, String mimeType, byte[] data) throws IOException;
}
