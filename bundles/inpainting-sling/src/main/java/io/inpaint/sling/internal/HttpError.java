package io.inpaint.sling.internal;

import io.inpaint.api.InpaintingException;
import io.inpaint.api.InputNotFoundException;
import io.inpaint.api.InputTooLargeException;
import io.inpaint.api.InvalidRequestException;
import io.inpaint.api.ModelUnavailableException;
import io.inpaint.api.RequestTimeoutException;
import io.inpaint.api.ServiceBusyException;

/**
 * A request that is answered with an HTTP error status and a short message for the caller: the api's errors through
 * {@link #of}, and what only HTTP knows (403 for a caller not allowed, 405) directly.
 */
final class HttpError extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final long retryAfterSeconds;

    HttpError(int status, String message) {
        this(status, message, 0, null);
    }

    private HttpError(int status, String message, long retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    /** Seconds for a {@code Retry-After} header, 0 for none. */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The one mapping from the api's errors to what an HTTP caller sees: permanent ones 4xx, transient ones 5xx. */
    static HttpError of(InpaintingException e) {
        if (e instanceof InputTooLargeException) {
            return new HttpError(413, e.getMessage(), 0, e);
        }
        if (e instanceof InputNotFoundException) {
            return new HttpError(404, e.getMessage(), 0, e);
        }
        if (e instanceof InvalidRequestException) {
            return new HttpError(400, e.getMessage(), 0, e);
        }
        if (e instanceof ServiceBusyException) {
            return new HttpError(503, e.getMessage(), ((ServiceBusyException) e).getRetryAfterSeconds(), e);
        }
        if (e instanceof RequestTimeoutException) {
            // the request was never run: safe to repeat, so say when
            return new HttpError(504, e.getMessage(), 5, e);
        }
        if (e instanceof ModelUnavailableException) {
            return new HttpError(503, e.getMessage(), 30, e);
        }
        return new HttpError(500, "inpainting failed: " + e.getMessage(), 0, e);
    }
}
