package dev.skein.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Debian package `mvn package` built, installed as a user would (dpkg -i), then used from /usr/bin: the
 * version, the demo, the unit file as systemd reads it. Runs after the package phase (integration-test), and
 * removes the package again. Root only; on a machine that has skein installed already it stops before touching it.
 */
class PackageIT {
    private static Path deb() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            // The newest: the one this build's package phase just made.
            return files.filter(p -> p.getFileName().toString().matches("skein_.*_all\\.deb"))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("no skein_*_all.deb in target/: mvn package builds it"))
                    .toAbsolutePath();
        }
    }

    /** The kinds of class-data-sharing archive in /var/cache/skein (node, cli), sorted. */
    private static List<String> archives() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/var/cache/skein"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsa"))
                    .map(n -> n.substring(0, n.indexOf('-'))).sorted().toList();
        }
    }

    @Test
    void installsRunsTheDemoFromTheInstalledCommandAndTheUnitVerifies() throws Exception {
        assumeTrue(Netns.root(), "dpkg -i needs root");
        assumeTrue(Netns.run("dpkg-query -W -f='${Status}' skein", 10).exit() != 0,
                "a skein package is installed on this machine already: not replacing it");
        Path deb = deb();
        Netns.Result info = Netns.run("dpkg-deb -f " + deb + " Depends Recommends", 10);
        assertTrue(info.output().contains("nftables") && info.output().contains("java17-runtime-headless")
                && info.output().contains("Recommends: libssl3, libsodium23"), info.output());
        try {
            Netns.Result install = Netns.run("dpkg -i " + deb, 120);
            assertEquals(0, install.exit(), install.output());
            Netns.Result version = Netns.run("/usr/bin/skein --version", 60);
            assertEquals(0, version.exit(), version.output());
            assertTrue(version.output().startsWith("skein 0."), version.output());
            // The class-data-sharing archives, made by the postinst for this jar and this JDK.
            assertEquals(List.of("cli", "node"), archives(), "archives in /var/cache/skein");
            // One that does not fit (here: garbage under the right name) costs speed, never a command's output.
            Path cli;
            try (Stream<Path> files = Files.list(Path.of("/var/cache/skein"))) {
                cli = files.filter(p -> p.getFileName().toString().startsWith("cli-")).findFirst().orElseThrow();
            }
            Files.write(cli, new byte[4096]);
            Netns.Result spoiled = Netns.run("/usr/bin/skein --version 2>/dev/null", 60);
            assertEquals(0, spoiled.exit(), spoiled.output());
            assertEquals(version.output(), spoiled.output(), "a spoiled archive changed what the command prints");
            for (String f : List.of("/usr/share/skein/skein.jar", "/lib/systemd/system/skein@.service",
                    "/usr/share/bash-completion/completions/skein", "/usr/share/doc/skein/examples/home.yaml",
                    "/usr/share/man/man1/skein.1", "/usr/share/man/man1/skein-up.1")) {
                assertTrue(Files.isRegularFile(Path.of(f)), f + " not installed");
            }
            // A page per command, in troff, with the options picocli knows.
            String upPage = Files.readString(Path.of("/usr/share/man/man1/skein-up.1"));
            assertTrue(upPage.contains(".TH \"SKEIN\\-UP\" \"1\"") && upPage.contains("\\-\\-config"), upPage);
            if (Files.isExecutable(Path.of("/usr/bin/man"))) {
                Netns.Result man = Netns.run("MANWIDTH=80 man -P cat skein-peers", 30);
                assertEquals(0, man.exit(), man.output());
                assertTrue(man.output().contains("--json"), man.output());
            }
            assertTrue(Files.isDirectory(Path.of("/etc/skein")));
            Netns.Result completion = Netns.run("bash -c 'source /usr/share/bash-completion/completions/skein "
                    + "&& complete -p skein'", 20);
            assertEquals(0, completion.exit(), completion.output());

            if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
                Netns.Result verify = Netns.run("systemd-analyze verify /lib/systemd/system/skein@.service", 60);
                assertEquals(0, verify.exit(), verify.output());
                assertEquals("", verify.output().trim(), "systemd-analyze has remarks");
            }

            Netns.Result demo = Netns.run("/usr/bin/skein demo", 180);
            assertEquals(0, demo.exit(), demo.output());
            assertTrue(demo.output().contains("--- office: 2 sent, 2 received, 0% loss"), demo.output());
        } finally {
            Netns.Result purge = Netns.run("dpkg -P skein", 60);
            assertEquals(0, purge.exit(), purge.output());
        }
        assertFalse(Files.exists(Path.of("/usr/bin/skein")), "dpkg -P left /usr/bin/skein");
        assertFalse(Files.exists(Path.of("/var/cache/skein")), "dpkg -P left the class-data-sharing archives");
        assertFalse(Netns.run("ip netns list", 10).output().contains("skein-demo-"), "namespaces left behind");
    }
}
