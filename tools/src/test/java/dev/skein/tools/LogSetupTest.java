package dev.skein.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log set up in code ({@link LogSetup}) is what logback.xml, the template for a file of one's own, says. */
class LogSetupTest {
    /** What a configured context does: its appender, where it writes, its pattern and the levels. */
    private static List<String> settings(LoggerContext context) {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> stderr = assertInstanceOf(ConsoleAppender.class, root.getAppender("STDERR"));
        PatternLayoutEncoder encoder = assertInstanceOf(PatternLayoutEncoder.class, stderr.getEncoder());
        return List.of(stderr.getTarget(), encoder.getPattern(), String.valueOf(root.getLevel()),
                String.valueOf(context.getLogger("io.atomix").getLevel()),
                String.valueOf(context.getLogger("io.netty").getLevel()),
                String.valueOf(context.getLogger("dev.skein.node.Node").getEffectiveLevel()));
    }

    @Test
    void theCodeSaysWhatTheXmlSays() throws Exception {
        LoggerContext fromCode = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(fromCode);
        assertEquals(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY,
                setup.configure(fromCode));
        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(getClass().getResource("/logback.xml"));
        assertEquals(settings(fromXml), settings(fromCode));
        assertEquals(List.of("System.err", LogSetup.PATTERN), settings(fromCode).subList(0, 2));
    }

    @Test
    void aFileNamedOnTheCommandLineIsReadInstead() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "/nonexistent/logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            LogSetup setup = new LogSetup();
            setup.setContext(context);
            assertEquals(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.NEUTRAL, setup.configure(context));
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }
}
