package io.inpaint.api;

/** The queue in front of the model is full; the request was refused at once. Transient (HTTP 503 with Retry-After). */
public class ServiceBusyException extends InpaintingException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    public ServiceBusyException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A hint for when to try again, in whole seconds, at least 1. */
    public long getRetryAfterSeconds() {
        return retryAfterSeconds;
    }
}
