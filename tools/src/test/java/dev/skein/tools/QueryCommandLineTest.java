package dev.skein.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The queries (peers, status, routes) and {@code up} run on a command line of their own, built without the rest
 * of the tree: what a user sees of them (usage, options) is what the whole tree shows under the same name.
 */
class QueryCommandLineTest {
    @Test
    void aQueryAloneReadsAsUnderTheWholeTree() {
        CommandLine tree = new CommandLine(new Skein());
        for (String name : List.of("peers", "status", "routes", "up")) {
            assertTrue(Skein.alone(name, "--json"));
            CommandLine alone = Skein.commandLine(name, "--json");
            assertTrue(alone.getSubcommands().isEmpty(), name + " built with other commands");
            CommandLine under = tree.getSubcommands().get(name);
            assertEquals(under.getUsageMessage(CommandLine.Help.Ansi.OFF), alone.getUsageMessage(CommandLine.Help.Ansi.OFF));
            assertEquals(under.getCommandSpec().qualifiedName(), alone.getCommandSpec().qualifiedName());
        }
    }

    @Test
    void everythingElseGetsTheWholeTree() {
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"demo"},
                new String[] {"help", "up"}, new String[] {"help", "peers"}, new String[] {"completion"})) {
            assertFalse(Skein.alone(args));
            assertTrue(Skein.commandLine(args).getSubcommands().containsKey("peers"), String.join(" ", args));
        }
    }
}
