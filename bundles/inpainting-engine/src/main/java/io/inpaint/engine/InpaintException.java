package io.inpaint.engine;

/** Base of every error the engine reports; unchecked so adapters can map subclasses to their own protocol. */
public class InpaintException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InpaintException(String message) {
        super(message);
    }

    public InpaintException(String message, Throwable cause) {
        super(message, cause);
    }
}
