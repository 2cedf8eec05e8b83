package dev.skein.protocol.cert;

import java.util.Base64;

/**
 * The text form of certificate and key files: base64 between BEGIN/END lines, so a person can tell the files
 * apart and paste them. {@code -----BEGIN SKEIN CERTIFICATE-----}, {@code -----BEGIN SKEIN PRIVATE KEY-----}.
 */
public final class PemText {
    public static final String CERTIFICATE = "SKEIN CERTIFICATE";
    public static final String PRIVATE_KEY = "SKEIN PRIVATE KEY";

    private PemText() {}

    public static String encode(String label, byte[] data) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(data);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }

    /** Every {@code label} block in {@code text}, in order (a bundle); at least one. */
    public static java.util.List<byte[]> decodeAll(String label, String text) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        String end = "-----END " + label + "-----";
        int from = 0;
        while (text.indexOf("-----BEGIN " + label + "-----", from) >= 0) {
            int e = text.indexOf(end, from);
            if (e < 0) {
                throw new IllegalArgumentException("no '" + end + "' line");
            }
            out.add(decode(label, text.substring(from, e + end.length())));
            from = e + end.length();
        }
        if (out.isEmpty()) {
            decode(label, text); // throws, naming what is missing
        }
        return out;
    }

    /** @throws IllegalArgumentException naming what is wrong with the text */
    public static byte[] decode(String label, String text) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("no '" + begin + "' block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e).trim());
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("the " + label + " block is not valid base64");
        }
    }
}
