package io.inpaint.api;

/** No model is loaded: it failed to load, or the service is stopping. Transient (HTTP 503). */
public class ModelUnavailableException extends InpaintingException {
    private static final long serialVersionUID = 1L;

    public ModelUnavailableException(String message) {
        super(message);
    }

    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
