package dev.skein.protocol.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressTextTest {
    private static String v6(String text) throws Exception {
        return AddressText.address(InetAddress.getByName(text).getAddress()); // literals only: no lookup
    }

    @Test
    void ipv6IsWrittenInRfc5952Form() throws Exception {
        assertEquals("2001:db8::3", v6("2001:0db8:0:0:0:0:0:3"));
        assertEquals("::", v6("0:0:0:0:0:0:0:0"));
        assertEquals("::1", v6("0:0:0:0:0:0:0:1"));
        assertEquals("fd00::", v6("fd00:0:0:0:0:0:0:0"));
        assertEquals("2001:db8:0:1:1:1:1:1", v6("2001:db8:0:1:1:1:1:1"), "a single zero group stays 0");
        assertEquals("2001:0:0:1::1", v6("2001:0:0:1:0:0:0:1"), "the longest run is the one shortened");
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1"), "of two equal runs, the first");
        assertEquals("198.18.0.1", AddressText.address(new byte[] {(byte) 198, 18, 0, 1}));
    }

    @Test
    void endpointsPutIpv6InBrackets() throws Exception {
        assertEquals("[2001:db8::3]:51820", AddressText.endpoint(new InetSocketAddress(
                InetAddress.getByName("2001:db8::3"), 51820)));
        assertEquals("198.18.0.1:51820", AddressText.endpoint(new InetSocketAddress(
                InetAddress.getByName("198.18.0.1"), 51820)));
        assertEquals("seed.example.net:51820", AddressText.endpoint(InetSocketAddress.createUnresolved(
                "seed.example.net", 51820)));
    }
}
