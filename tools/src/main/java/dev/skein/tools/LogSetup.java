package dev.skein.tools;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The log's configuration, set up in code: what {@code logback.xml} says, without logback reading and
 * interpreting that XML at every start (about 50 ms of CPU of a node's start, profiled; 32 nodes start at once
 * on two cores in docs/SIMULATIONS.md). Found by logback through {@code META-INF/services}. A file named with
 * {@code -Dlogback.configurationFile} is read instead, as logback always does; {@code logback.xml} stays the
 * template for one ({@code LogSetupTest} holds the two to the same settings).
 *
 * <p>One appender, "STDERR" ({@link LogFormat} switches its encoder to JSON); the root at {@code SKEIN_LOG_LEVEL}
 * (INFO), Atomix at {@code SKEIN_GOSSIP_LOG_LEVEL} (WARN), Netty at WARN; each level a system property or, failing
 * that, an environment variable, as {@code ${NAME:-default}} reads them in the XML.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.NEUTRAL;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level("SKEIN_LOG_LEVEL", Level.INFO));
        root.addAppender(stderr);
        context.getLogger("io.atomix").setLevel(level("SKEIN_GOSSIP_LOG_LEVEL", Level.WARN));
        context.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Level level(String name, Level otherwise) {
        String value = System.getProperty(name);
        return Level.toLevel(value != null ? value : System.getenv(name), otherwise);
    }
}
