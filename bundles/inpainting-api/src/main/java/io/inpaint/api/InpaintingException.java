package io.inpaint.api;

/** Base of the errors {@link InpaintingService} reports. Thrown as such, it means the service failed (an HTTP adapter answers 500). */
public class InpaintingException extends Exception {
    private static final long serialVersionUID = 1L;

    public InpaintingException(String message) {
        super(message);
    }

    public InpaintingException(String message, Throwable cause) {
        super(message, cause);
    }
}
