package io.inpaint.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Fills the holes a mask marks in a picture, using one shared model.
 *
 * <p>All callers share one bounded queue in front of the model. When it is full, a call fails at once with
 * {@link ServiceBusyException} instead of waiting; a request still queued when its time is up fails with
 * {@link RequestTimeoutException}. Calls block until their result is ready and may come from any thread.
 */
@ProviderType
public interface InpaintingService {

    /** The rendition name of an asset's original binary; {@link #inpaintAsset} never writes it. */
    String ORIGINAL_RENDITION = "original";

    /** Base of the rendition name used when none is given: {@code inpainted.png}, {@code inpainted.jpeg}, ... */
    String DEFAULT_RENDITION_BASE = "inpainted";

    /**
     * Inpaints a picture.
     *
     * @param image the encoded picture, one {@link #check} accepts
     * @param mask  an encoded picture of the same size upright; {@link InpaintingOptions#getMaskMode()} says what
     *     marks the hole
     * @param options how to read the mask and write the result; {@code null} means {@link InpaintingOptions#defaults()}
     * @return the filled picture, encoded as {@link InpaintingOptions#getOutputFormat()} asks
     * @throws InvalidRequestException the image or mask fails {@link #check} or cannot be decoded, they differ in
     *     size, or the mask marks no hole
     * @throws InputTooLargeException the image or mask is over the pixel limits
     * @throws ServiceBusyException the queue is full
     * @throws RequestTimeoutException the request waited longer than the configured timeout
     * @throws ModelUnavailableException no model is loaded
     * @throws InpaintingException the model failed
     */
    InpaintingResult inpaint(byte[] image, byte[] mask, InpaintingOptions options) throws InpaintingException;

    /**
     * Inpaints an asset and stores the result as a rendition of it.
     *
     * <p>The caller implements {@code source} and {@code target} on its own repository session, so that its
     * permissions apply. The service reads the original and the mask from {@code source}, then calls
     * {@link AssetTarget#writeRendition} once; it does not commit: the caller saves or reverts its session.
     *
     * @param renditionName a plain name (no {@code /}), not {@value #ORIGINAL_RENDITION}; {@code null} means
     *     {@value #DEFAULT_RENDITION_BASE} plus the extension of the output format
     * @return where the rendition was written, with the result
     * @throws InvalidRequestException as for {@link #inpaint}, or the rendition name is not allowed
     * @throws InpaintingException reading the source or writing the target failed (the cause says why), or as
     *     for {@link #inpaint}
     */
    AssetInpaintingResult inpaintAsset(
            AssetSource source, AssetTarget target, String renditionName, InpaintingOptions options)
            throws InpaintingException;

    /**
     * The one check of an encoded picture, from its bytes alone and before anything is decoded: its type by its
     * content (PNG, JPEG, GIF or BMP), the pixel limits by its header, and that the file is complete. {@link #inpaint}
     * applies it to both pictures; callers ask it to refuse early, or to learn a picture's type and upright size.
     *
     * @param what how messages call the data, e.g. "image" or "mask /content/dam/a.mask.png"
     * @throws InputTooLargeException over the configured pixel limits
     * @throws InvalidRequestException empty, another type, a damaged header, or truncated
     */
    ImageInfo check(byte[] data, String what) throws InvalidRequestException;

    /** The model, the queue and counters since the service started; cheap, never blocks on the model. */
    ServiceStatus status();
}
