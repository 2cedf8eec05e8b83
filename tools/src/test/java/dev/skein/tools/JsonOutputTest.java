package dev.skein.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.skein.protocol.proto.PeerInfo;
import dev.skein.protocol.proto.PingReply;
import dev.skein.protocol.proto.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `--json` as scripts read it: every field present, numbers as numbers, the unknown as null. */
class JsonOutputTest {
    @Test
    void aPeerNeverHeardFromHasNullsWhereItsValuesAreUnknownAndZerosWhereTheyAreZero() {
        PeerInfo p = PeerInfo.newBuilder().setName("wg-AbCd").setPath("direct").setWireguard(true).build();
        JsonObject o = JsonParser.parseString(JsonOutput.render("peers", List.of(p))).getAsJsonObject()
                .getAsJsonArray("peers").get(0).getAsJsonObject();
        assertTrue(o.get("handshakeAgeMs").isJsonNull(), o.toString());
        assertTrue(o.get("rttUs").isJsonNull());
        assertTrue(o.get("address").isJsonNull());
        assertTrue(o.get("endpoint").isJsonNull());
        assertTrue(o.get("certificateExpiry").isJsonNull());
        assertEquals(0, o.get("rxBytes").getAsLong(), "a zero is there, as a number");
        assertTrue(o.get("wireguard").getAsBoolean());
        assertEquals(0, o.getAsJsonArray("subnets").size(), "an empty list is []");
    }

    @Test
    void sixtyFourBitNumbersAreNumbersEvenPastTheSignedRange() {
        PeerInfo p = PeerInfo.newBuilder().setName("n2").setRxBytes(-1L).setTxBytes(5_000_000_000L)
                .setHandshakeAgeMs(0).setRttUs(1234).build();
        String json = JsonOutput.render(p);
        assertTrue(json.contains("\"rxBytes\": 18446744073709551615,"), json);
        assertTrue(json.contains("\"txBytes\": 5000000000,"), json);
        assertTrue(json.contains("\"handshakeAgeMs\": 0,"), "set to zero is zero, not null: " + json);
        assertTrue(json.contains("\"rttUs\": 1234,"), json);
    }

    @Test
    void mapsAreObjectsAndFalseIsWritten() {
        Status s = Status.newBuilder().setName("home").putDropped("bad-mac", 3).putDropped("garbage", 0).build();
        JsonObject o = JsonParser.parseString(JsonOutput.render(s)).getAsJsonObject();
        assertEquals(3, o.getAsJsonObject("dropped").get("bad-mac").getAsLong());
        assertEquals(0, o.getAsJsonObject("dropped").get("garbage").getAsLong());
        assertEquals(false, o.get("relay").getAsBoolean());
        assertTrue(o.get("listenPort").isJsonNull(), "no socket: null, not 0");
        assertEquals(0, o.get("meshSize").getAsInt());
        PingReply lost = PingReply.newBuilder().setSeq(2).build();
        assertTrue(JsonOutput.render(lost).contains("\"rttUs\": null"), JsonOutput.render(lost));
    }
}
