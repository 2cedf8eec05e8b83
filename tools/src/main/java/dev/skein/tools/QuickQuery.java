package dev.skein.tools;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The queries people and scripts run again and again (peers, status, routes), run without picocli when their
 * arguments are the plain ones: {@code --json}, {@code --socket PATH}, {@code --config FILE} (also with
 * {@code =}), each at most once. Why: picocli builds its model of a command by reflection, and every annotation
 * it reads is a proxy class the JVM generates at run time; that was 0.1 s of `skein peers`' 0.2, more than the
 * node takes to answer. Anything else (help, a typo, a missing value, an option twice) goes to picocli, which
 * explains it as usual; {@code QuickQueryTest} checks that what is read here is what picocli reads.
 */
final class QuickQuery {
    /** Each query by name, made with its options (null: picocli reads them into it). */
    static final Map<String, Function<NodeQuery, Callable<Integer>>> QUERIES = Map.of(
            "peers", PeersCommand::new, "status", StatusCommand::new, "routes", RoutesCommand::new);

    private QuickQuery() {}

    /** The query {@code args} run, ready to call, or null if picocli must read them. */
    static Callable<Integer> of(String... args) {
        if (args.length == 0 || !QUERIES.containsKey(args[0])) {
            return null;
        }
        NodeQuery options = options(args);
        return options == null ? null : QUERIES.get(args[0]).apply(options);
    }

    /** The options after the command's name, or null unless they are only the plain ones, each once. */
    static NodeQuery options(String... args) {
        NodeQuery q = new NodeQuery();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            if (name.equals("--json") && eq < 0 && !q.json) {
                q.json = true;
                continue;
            }
            if (!name.equals("--socket") && !name.equals("--config")) {
                return null;
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            Path path = path(value);
            if (path == null || (name.equals("--socket") ? q.socket : q.config) != null) {
                return null;
            }
            if (name.equals("--socket")) {
                q.socket = path;
            } else {
                q.config = path;
            }
        }
        return q;
    }

    /** A value picocli would take as a path without a second thought; null for one it might read otherwise. */
    static Path path(String value) {
        if (value.isEmpty() || value.startsWith("-")) {
            return null;
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
