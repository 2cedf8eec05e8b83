package dev.skein.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The queries' plain arguments read without picocli ({@link QuickQuery}) give the options picocli gives; the rest
 * is left to picocli, which explains what is wrong.
 */
class QuickQueryTest {
    @Test
    void plainArgumentsReadAsPicocliReadsThem() {
        for (String name : List.of("peers", "status", "routes")) {
            for (String[] rest : List.of(new String[0], new String[] {"--json"},
                    new String[] {"--socket", "/run/skein/home.sock"}, new String[] {"--socket=/tmp/a b.sock", "--json"},
                    new String[] {"--json", "--config", "etc/home.yaml"}, new String[] {"--config=/etc/skein/x.yaml"},
                    new String[] {"--config", "c.yaml", "--socket", "s.sock", "--json"})) {
                String[] args = with(name, rest);
                NodeQuery quick = QuickQuery.options(args);
                assertNotNull(quick, String.join(" ", args));
                assertNotNull(QuickQuery.of(args));
                CommandLine cli = Skein.commandLine(args);
                cli.parseArgs(Arrays.copyOfRange(args, 1, args.length));
                NodeQuery picocli = (NodeQuery) cli.getMixins().get("node");
                assertEquals(picocli.socket, quick.socket, String.join(" ", args));
                assertEquals(picocli.config, quick.config, String.join(" ", args));
                assertEquals(picocli.json, quick.json, String.join(" ", args));
            }
        }
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        for (String[] args : List.of(new String[] {"peers", "--help"}, new String[] {"peers", "-h"},
                new String[] {"status", "--version"}, new String[] {"peers", "--jsn"},
                new String[] {"peers", "--socket"}, new String[] {"peers", "--socket="},
                new String[] {"peers", "--socket", "--json"}, new String[] {"peers", "--json", "--json"},
                new String[] {"routes", "--socket", "a", "--socket", "b"}, new String[] {"routes", "--json=true"},
                new String[] {"peers", "extra"}, new String[] {"up", "--config", "x"}, new String[] {"ping", "home"},
                new String[0], new String[] {"--help"})) {
            assertNull(QuickQuery.of(args), String.join(" ", args));
        }
    }

    private static String[] with(String name, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = name;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
