package io.inpaint.engine;

/** The caller's image, mask or options are unusable; adapters answer this with a 4xx and its message. */
public class InvalidInputException extends InpaintException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
