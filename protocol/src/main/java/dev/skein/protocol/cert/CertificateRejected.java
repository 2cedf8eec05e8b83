package dev.skein.protocol.cert;

/** A certificate was refused; {@link #reason()} says which rule it broke, the message says it in words. */
public final class CertificateRejected extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        MALFORMED("malformed certificate"),
        BAD_SIGNATURE("signature does not verify"),
        EXPIRED("certificate has expired"),
        NOT_YET_VALID("certificate is not valid yet"),
        OTHER_CA("signed by another CA"),
        ADDRESS_OUTSIDE_MESH("address outside the mesh network"),
        NOT_A_NODE("a CA certificate cannot identify a node"),
        NOT_A_CA("not a CA certificate"),
        WRONG_KEY("private key does not match the certificate"),
        REVOKED("certificate revoked by the CA");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Reason reason;

    public CertificateRejected(Reason reason, String detail) {
        super(detail == null ? reason.text() : reason.text() + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
