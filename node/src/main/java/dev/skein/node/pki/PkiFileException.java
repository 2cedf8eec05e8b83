package dev.skein.node.pki;

/** A certificate or key file could not be used; the message names the file and the problem. */
public final class PkiFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public PkiFileException(String message) {
        super(message);
    }
}
