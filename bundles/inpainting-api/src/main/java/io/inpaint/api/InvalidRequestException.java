package io.inpaint.api;

/** The caller's picture, mask or options are unusable; the message says why in words fit for the caller (HTTP 400, or 413 for a picture over the pixel limit is also fine). */
public class InvalidRequestException extends InpaintingException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
