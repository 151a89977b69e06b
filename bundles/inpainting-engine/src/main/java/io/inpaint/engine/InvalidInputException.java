package io.inpaint.engine;

/**
 * The caller's image or mask is unusable. Unchecked, as all the engine's errors, for the command line and the
 * service to map; the service turns it into the api's checked {@code InvalidRequestException} with the same message.
 */
public class InvalidInputException extends InpaintException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
