package io.inpaint.api;

/** The picture or mask named by the caller is not there (HTTP 404); permanent for the request as given. */
public class InputNotFoundException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public InputNotFoundException(String message) {
        super(message);
    }
}
