package dev.skein.tools;

/** A problem the person at the terminal can fix; printed as one line, exit code 1. */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message, null, false, false);
    }
}
