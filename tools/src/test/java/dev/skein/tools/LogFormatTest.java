package dev.skein.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** `log-format: json`: each line a JSON object a log shipper can take as it is. */
class LogFormatTest {
    @Test
    void everyLineIsOneJsonObjectWithLevelLoggerAndMessage() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogFormat.json();
            LoggerFactory.getLogger("dev.skein.node.Node").info("home up: {} on {}", "100.64.0.2/16", "skein0");
            LoggerFactory.getLogger("dev.skein.node.membership.Membership").warn("refused {}", "a \"quoted\" name");
        } finally {
            System.setErr(stderr);
            context.reset();
            new ContextInitializer(context).autoConfig(); // back to the text log (LogSetup) for the other tests
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        assertEquals(2, lines.size(), lines.toString());
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("INFO", first.get("level").getAsString());
        assertEquals("dev.skein.node.Node", first.get("loggerName").getAsString());
        assertEquals("home up: 100.64.0.2/16 on skein0", first.get("formattedMessage").getAsString(), lines.get(0));
        assertTrue(first.has("timestamp"), lines.get(0));
        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals("WARN", second.get("level").getAsString());
        assertEquals("refused a \"quoted\" name", second.get("formattedMessage").getAsString(),
                "escaped, still one object: " + lines.get(1));
    }
}
