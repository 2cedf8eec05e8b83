package dev.skein.tools;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** `log-format: json`: the log's one appender (STDERR, from LogSetup) switched to logback's own JSON encoder. */
final class LogFormat {
    private LogFormat() {}

    /**
     * From now on every log line is one JSON object: sequenceNumber, timestamp, level, threadName, loggerName, mdc,
     * formattedMessage, throwable.
     */
    static void json() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: it has its own configuration
        }
        if (!(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")
                instanceof ConsoleAppender<ILoggingEvent> console)) {
            return;
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // The message as the text log shows it ("formattedMessage"), not its template and arguments; no
        // logger-context noise.
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithContext(false);
        encoder.setWithNanoseconds(false);
        encoder.start();
        console.stop();
        console.setEncoder(encoder);
        console.start();
    }
}
