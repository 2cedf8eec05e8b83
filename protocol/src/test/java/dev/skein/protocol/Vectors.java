package dev.skein.protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** Reads a name=hex vector file from the test resources (see protocol/src/test/vectors). */
public final class Vectors {
    private final Map<String, String> values = new HashMap<>();

    private Vectors(String resource) throws IOException {
        try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
    }

    public static Vectors wireguard() throws IOException {
        return new Vectors("/vectors/wireguard.txt");
    }

    public byte[] bytes(String name) {
        return HexFormat.of().parseHex(text(name));
    }

    public long number(String name) {
        return Long.parseLong(text(name));
    }

    private String text(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no vector " + name);
        }
        return v;
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }
}
