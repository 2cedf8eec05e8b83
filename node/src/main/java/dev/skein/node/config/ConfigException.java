package dev.skein.node.config;

/** The configuration cannot be used; the message names the file and the key. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
