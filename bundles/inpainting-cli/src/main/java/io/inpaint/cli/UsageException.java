package io.inpaint.cli;

/** The command line itself is wrong (unknown flag, missing value, bad number): exit code 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
