package io.inpaint.api;

/** The request waited for the model longer than the configured timeout and was dropped without being run. Transient (HTTP 504). */
public class RequestTimeoutException extends InpaintingException {
    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(String message) {
        super(message);
    }

    public RequestTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
