package dev.skein.protocol.member;

import dev.skein.protocol.cert.CertificateRejected;

/** A membership record or join message was refused; {@link #reason()} says which rule it broke. */
public final class MemberRejected extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        MALFORMED("malformed"),
        CERTIFICATE("certificate refused"),
        BAD_SIGNATURE("not signed by the node its certificate names"),
        STALE("too old or from the future");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Reason reason;
    private final CertificateRejected.Reason certificateReason;

    MemberRejected(Reason reason, String detail) {
        super(detail == null ? reason.text() : reason.text() + ": " + detail);
        this.reason = reason;
        this.certificateReason = null;
    }

    MemberRejected(CertificateRejected cause) {
        super(cause.getMessage(), cause);
        this.reason = Reason.CERTIFICATE;
        this.certificateReason = cause.reason();
    }

    public Reason reason() {
        return reason;
    }

    /** Why the certificate was refused, when {@link #reason()} is {@link Reason#CERTIFICATE}; else null. */
    public CertificateRejected.Reason certificateReason() {
        return certificateReason;
    }
}
