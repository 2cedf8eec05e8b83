package dev.skein.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code skein} command: one entry point, a subcommand per task. */
@Command(name = "skein", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A serverless mesh VPN: WireGuard-compatible tunnels, gossip membership, signed identities.",
        footerHeading = "%nFiles:%n",
        footer = {"/etc/skein/NAME.yaml: a node's configuration, run by the systemd unit skein@NAME.service "
                + "(systemctl enable --now skein@NAME).",
                "/usr/share/doc/skein/README.md: the configuration keys, the trust model, the commands' JSON.",
                "/usr/share/doc/skein/examples/: example configurations."},
        subcommands = {UpCommand.class, StatusCommand.class, PeersCommand.class, RoutesCommand.class, FirewallCommand.class,
                PingCommand.class, ReloadCommand.class, RevocationsCommand.class, DemoCommand.class, CaCommand.class, SignCommand.class, CertCommand.class, KeygenCommand.class,
                PubkeyCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Skein implements Runnable {

    public static void main(String[] args) {
        dev.skein.node.os.HostsFileOnly.install(); // first: before anything touches InetAddress
        java.util.concurrent.Callable<Integer> quick = QuickQuery.of(args);
        if (quick == null) {
            System.exit(runOther(args));
        }
        // A query read without picocli prints its answer to System.out and holds nothing to close, so it ends at
        // once: System.exit first asks the JDK's logging for a logger to record the exit (JDK 21+), which looks
        // for logging providers in every jar on the class path, 13,000 entries read (17,000 then): 20-30 ms of
        // `skein peers`' 150 (docs/PERFORMANCE.md, session 30).
        int code = call(quick);
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    /**
     * True if {@code args} name a command that runs on a command line of its own ({@link #commandLine}): one of
     * the queries ({@link QuickQuery#QUERIES}) or {@code up}. Picocli introspects every subcommand of the root it
     * is given (about 60 ms for a query; 0.15 CPU s of a node's start, profiled, when 32 start at once on two
     * cores); for these only their own model is built, named as under the root, so usage, errors and output are
     * the same.
     */
    static boolean alone(String... args) {
        return args.length > 0 && (QuickQuery.QUERIES.containsKey(args[0]) || args[0].equals("up"));
    }

    /** The command line that runs {@code args}: a query's or {@code up}'s own, or the whole tree. */
    static CommandLine commandLine(String... args) {
        if (!alone(args)) {
            return new CommandLine(new Skein());
        }
        // With no options given, picocli fills in the query's NodeQuery itself (its @Mixin).
        Object command = args[0].equals("up") ? new UpCommand() : QuickQuery.QUERIES.get(args[0]).apply(null);
        return new CommandLine(command).setCommandName("skein " + args[0]);
    }

    /** Runs the command line and returns the exit code (0 ok, 1 failed, 2 wrong usage). */
    public static int run(String... args) {
        java.util.concurrent.Callable<Integer> quick = QuickQuery.of(args);
        return quick != null ? call(quick) : runOther(args);
    }

    /** Runs {@code args} that are no query {@link QuickQuery} reads: a plain {@code up}, or through picocli. */
    private static int runOther(String... args) {
        java.util.concurrent.Callable<Integer> plainUp = UpCommand.plain(args);
        if (plainUp != null) {
            return call(plainUp);
        }
        boolean alone = alone(args);
        CommandLine cli = commandLine(args);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, cmd.getErr()));
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("skein: " + e.getMessage());
            cmd.getErr().println("try: " + cmd.getCommandSpec().qualifiedName() + " --help");
            return 2;
        });
        return cli.execute(alone ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
    }

    /** Runs a command read without picocli: its exit code, or a failure explained as {@link #failed} does. */
    private static int call(java.util.concurrent.Callable<Integer> command) {
        try {
            return command.call();
        } catch (Exception e) {
            return failed(e, new java.io.PrintWriter(System.err, true));
        }
    }

    /** A command failed: one clear line, no stack trace (the message of a UserError names the problem); exit 1. */
    private static int failed(Exception e, java.io.PrintWriter err) {
        boolean explained = e instanceof UserError || e instanceof dev.skein.node.pki.PkiFileException
                || e instanceof java.io.IOException;
        err.println("skein: " + (explained ? e.getMessage() : e.toString()));
        return 1;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
