package io.inpaint.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A place in the service's queue, taken by {@link InpaintingService#admit()} before a request's upload is read. Held
 * places count against the queue's capacity, so requests that arrive together cannot all be admitted, read their
 * uploads, and then be refused one by one. Used once: {@link #inpaint} takes the place, {@link #close} gives it back
 * when the request ends before (bad input, an error): a caller holds it in try-with-resources.
 */
@ProviderType
public interface Admission extends AutoCloseable {

    /**
     * Inpaints a picture in this place; {@link InpaintingService#inpaint} says what is checked and thrown, except
     * that the request is never refused as busy now.
     *
     * @throws IllegalStateException this admission was used or given back already
     */
    InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) throws InpaintingException;

    /** Gives the place back unless {@link #inpaint} took it; does nothing the second time. */
    @Override
    void close();
}
