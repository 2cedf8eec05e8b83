package dev.skein.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code skein up --config FILE} read without picocli ({@link UpCommand#plain}) gives the file picocli gives;
 * every other form is left to picocli, which explains what is wrong.
 */
class PlainUpTest {
    @Test
    void plainFormsReadAsPicocliReadsThem() {
        for (String[] args : List.of(new String[] {"up", "--config", "/etc/skein/home.yaml"},
                new String[] {"up", "--config=/etc/skein/home.yaml"}, new String[] {"up", "--config", "a b.yaml"},
                new String[] {"up", "--config=relative/n1.yaml"})) {
            UpCommand quick = UpCommand.plain(args);
            assertNotNull(quick, String.join(" ", args));
            CommandLine cli = Skein.commandLine(args);
            cli.parseArgs(Arrays.copyOfRange(args, 1, args.length));
            UpCommand picocli = cli.getCommand();
            assertEquals(picocli.config, quick.config, String.join(" ", args));
        }
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        for (String[] args : List.of(new String[] {"up"}, new String[] {"up", "--help"}, new String[] {"up", "-h"},
                new String[] {"up", "--config"}, new String[] {"up", "--config="}, new String[] {"up", "--config", "--help"},
                new String[] {"up", "--config", "a", "--config", "b"}, new String[] {"up", "--confg", "a"},
                new String[] {"up", "--config", "a", "extra"}, new String[] {"up", "-c", "a"},
                new String[] {"peers", "--config", "a"}, new String[] {"--config", "a", "up"}, new String[0])) {
            assertNull(UpCommand.plain(args), String.join(" ", args));
        }
    }
}
