package dev.skein.node;

/** The node cannot start or run; the message says why in one line. */
public final class NodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public NodeException(String message) {
        super(message);
    }
}
