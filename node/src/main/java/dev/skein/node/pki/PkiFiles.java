package dev.skein.node.pki;

import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateRejected;
import dev.skein.protocol.cert.PemText;
import dev.skein.protocol.proto.PrivateKeys;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Reads and writes certificate ({@code .crt}) and key ({@code .key}) files. Every failure is a
 * {@link PkiFileException} whose message names the file and what is wrong with it.
 */
public final class PkiFiles {
    private PkiFiles() {}

    /** A node's private keys, or a CA's signing key alone (x25519 empty). */
    public record Keys(byte[] x25519PrivateKey, byte[] ed25519PrivateKey) {}

    public static Certificate readCertificate(Path file) throws PkiFileException {
        byte[] der = decode(file, PemText.CERTIFICATE);
        try {
            return Certificate.decode(der);
        } catch (CertificateRejected e) {
            throw new PkiFileException(file + ": " + e.getMessage());
        }
    }

    /** Every certificate in {@code file}, in order: a CA bundle (`pki.ca` may hold several). */
    public static java.util.List<Certificate> readCertificates(Path file) throws PkiFileException {
        String text = readText(file);
        java.util.List<Certificate> out = new java.util.ArrayList<>();
        try {
            for (byte[] der : PemText.decodeAll(PemText.CERTIFICATE, text)) {
                out.add(Certificate.decode(der));
            }
        } catch (IllegalArgumentException | CertificateRejected e) {
            throw new PkiFileException(file + ": " + e.getMessage());
        }
        return out;
    }

    public static Keys readKeys(Path file) throws PkiFileException {
        byte[] der = decode(file, PemText.PRIVATE_KEY);
        try {
            PrivateKeys keys = PrivateKeys.parseFrom(der);
            byte[] x = keys.getX25519PrivateKey().toByteArray();
            byte[] ed = keys.getEd25519PrivateKey().toByteArray();
            if ((x.length != 0 && x.length != 32) || ed.length != 32) {
                throw new PkiFileException(file + ": keys of the wrong size");
            }
            return new Keys(x, ed);
        } catch (InvalidProtocolBufferException e) {
            throw new PkiFileException(file + ": not a Skein key file");
        }
    }

    public static void writeCertificate(Path file, Certificate cert) throws PkiFileException {
        write(file, PemText.encode(PemText.CERTIFICATE, cert.encoded()), false);
    }

    /** Writes a key file readable by its owner only. */
    public static void writeKeys(Path file, Keys keys) throws PkiFileException {
        PrivateKeys.Builder b = PrivateKeys.newBuilder().setEd25519PrivateKey(ByteString.copyFrom(keys.ed25519PrivateKey()));
        if (keys.x25519PrivateKey() != null && keys.x25519PrivateKey().length > 0) {
            b.setX25519PrivateKey(ByteString.copyFrom(keys.x25519PrivateKey()));
        }
        write(file, PemText.encode(PemText.PRIVATE_KEY, b.build().toByteArray()), true);
    }

    private static String readText(Path file) throws PkiFileException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new PkiFileException(file + ": no such file");
        } catch (IOException e) {
            throw new PkiFileException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static byte[] decode(Path file, String label) throws PkiFileException {
        String text = readText(file);
        try {
            return PemText.decode(label, text);
        } catch (IllegalArgumentException e) {
            throw new PkiFileException(file + ": " + e.getMessage());
        }
    }

    private static void write(Path file, String text, boolean secret) throws PkiFileException {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            if (Files.exists(file)) {
                throw new PkiFileException(file + ": already exists (refusing to overwrite)");
            }
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".skein", ".tmp");
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file);
        } catch (IOException e) {
            throw new PkiFileException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
