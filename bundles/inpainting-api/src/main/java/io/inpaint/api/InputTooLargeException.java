package io.inpaint.api;

/** A file over the byte limit, or a picture over the pixel limits by its header; refused before decoding (HTTP 413). */
public class InputTooLargeException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public InputTooLargeException(String message) {
        super(message);
    }
}
