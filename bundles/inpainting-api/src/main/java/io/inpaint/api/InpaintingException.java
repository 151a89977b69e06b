package io.inpaint.api;

/**
 * Base of the errors {@link InpaintingService} and its adapters report. Each says whether it is
 * {@linkplain #isPermanent() permanent}: the same request can never succeed (bad input: a job is cancelled, an HTTP
 * caller gets a 4xx), or transient: the service failed or was busy, and the same request may succeed later (a job is
 * retried, an HTTP caller gets a 5xx). Thrown as such, it is transient: the service failed (HTTP 500).
 */
public class InpaintingException extends Exception {
    private static final long serialVersionUID = 1L;

    public InpaintingException(String message) {
        super(message);
    }

    public InpaintingException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same request can never succeed; false here and for the service's own failures. */
    public boolean isPermanent() {
        return false;
    }
}
