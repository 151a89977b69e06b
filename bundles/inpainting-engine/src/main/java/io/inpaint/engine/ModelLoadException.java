package io.inpaint.engine;

/** A model descriptor or weight file is missing, corrupt or does not fit the network. */
public class ModelLoadException extends InpaintException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
