package dev.skein.protocol.wire;

/**
 * A message was refused. The reason says which rule it broke, so the node can count and log it in one line;
 * nothing in the protocol module lets another exception escape on hostile input.
 */
public final class WireException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a message was refused. */
    public enum Reason {
        MALFORMED("malformed message"),
        BAD_MAC1("MAC1 does not match our public key"),
        BAD_MAC2("MAC2 (cookie) missing or wrong"),
        DECRYPTION_FAILED("decryption failed (wrong key or tampered message)"),
        BAD_PUBLIC_KEY("public key gives an all-zero shared secret"),
        UNKNOWN_PEER("the initiator's static key is not one of our peers"),
        REPLAYED("replayed message"),
        UNEXPECTED("no handshake is waiting for this message");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Reason reason;
    private final String detail;

    public WireException(Reason reason) {
        this(reason, null);
    }

    public WireException(Reason reason, String detail) {
        super(detail == null ? reason.text() : reason.text() + ": " + detail, null, false, false);
        this.reason = reason;
        this.detail = detail;
    }

    /** The specifics (e.g. the unknown key, in base64), or null. */
    public String detail() {
        return detail;
    }

    public Reason reason() {
        return reason;
    }
}
