package io.inpaint.api;

/**
 * The caller's picture, mask or options are unusable; the message says why in words fit for the caller. Permanent
 * (HTTP 400).
 */
public class InvalidRequestException extends InpaintingException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Always: the same input is refused again. */
    @Override
    public final boolean isPermanent() {
        return true;
    }
}
