package io.inpaint.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Fills the holes a mask marks in a picture, using one shared model.
 *
 * <p>All callers share one bounded queue in front of the model. When it is full, a call fails at once with
 * {@link ServiceBusyException} instead of waiting; a request still queued when its time is up fails with
 * {@link RequestTimeoutException}. Calls block until their result is ready and may come from any thread.
 *
 * <p>The service works on bytes only: callers read the pictures (within their byte limits) and store the result
 * where they keep pictures, named by {@link InpaintingResult#getExtension()} and {@link RenditionName}.
 */
@ProviderType
public interface InpaintingService {

    /**
     * Inpaints a picture: {@link #admit()}, then {@link Admission#inpaint} in that place.
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
     * The one check of an encoded picture, from its bytes alone and before anything is decoded: its type by its
     * content (PNG, JPEG, GIF or BMP), the pixel limits by its header, and that the file is complete. {@link #inpaint}
     * applies it to both pictures; callers ask it to refuse early, or to learn a picture's type and upright size.
     *
     * @param what how messages call the data, e.g. "image" or "mask /content/dam/a.mask.png"
     * @throws InputTooLargeException over the configured pixel limits
     * @throws InvalidRequestException empty, another type, a damaged header, or truncated
     */
    ImageInfo check(byte[] data, String what) throws InvalidRequestException;

    /**
     * Takes a place in the queue for a request, from the service's state alone: callers ask before they read an
     * upload, so that an overloaded service answers at once and requests arriving together are refused before any
     * of them is read.
     *
     * @return the place, to inpaint in or to give back (close)
     * @throws ServiceBusyException the queue, places held included, is full, or the work ahead of a new request would
     *     take more than half the time a request may wait (a margin for runs that slow down meanwhile)
     * @throws ModelUnavailableException no model is loaded
     */
    Admission admit() throws InpaintingException;

    /** The model, the queue and counters since the service started; cheap, never blocks on the model. */
    ServiceStatus status();
}
