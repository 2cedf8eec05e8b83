package dev.skein.node.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skein.protocol.addr.IpPrefix;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.cert.CertificateAuthority;
import dev.skein.protocol.cert.CertificateRequest;
import dev.skein.protocol.crypto.Curve25519;
import dev.skein.protocol.crypto.Ed25519Keys;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsAnswersTest {
    static final Instant NOW = Instant.now();
    static final SecureRandom RANDOM = new SecureRandom();
    static final CertificateAuthority CA = CertificateAuthority.create("acme", IpPrefix.parse("100.64.0.0/10"),
            NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(10)), RANDOM);

    /** A certificate for {@code name} at {@code address}, issued {@code age} ago. */
    static Certificate cert(String name, String address, Duration age) {
        return CA.sign(new CertificateRequest(name, IpPrefix.parse(address), List.of(), List.of(),
                Curve25519.publicKey(Curve25519.generatePrivateKey(RANDOM)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(RANDOM)), NOW.minus(age), NOW.plus(Duration.ofDays(1))));
    }

    static final MeshNames NAMES = MeshNames.of("mesh", List.of(
            new MeshNames.Member(cert("home", "100.64.0.2/16", Duration.ofHours(1)), true),
            new MeshNames.Member(cert("office", "100.64.0.3/16", Duration.ofHours(1)), true),
            new MeshNames.Member(cert("lost", "100.64.0.9/16", Duration.ofHours(1)), false)));

    static Message ask(String name, int type) throws IOException {
        return ask(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)), NAMES);
    }

    static Message ask(Message query, MeshNames names) throws IOException {
        byte[] wire = query.toWire();
        byte[] reply = DnsAnswers.answer(wire, wire.length, names, false);
        assertNotNull(reply, "a query gets an answer");
        Message m = new Message(reply);
        assertEquals(query.getHeader().getID(), m.getHeader().getID());
        assertTrue(m.getHeader().getFlag(Flags.QR));
        assertFalse(m.getHeader().getFlag(Flags.RA), "no recursion offered");
        return m;
    }

    static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).toList();
    }

    @Test
    void aMemberNameGivesItsOverlayAddressAuthoritativelyWithAShortTtl() throws IOException {
        Message m = ask("office.mesh.", Type.A);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertTrue(m.getHeader().getFlag(Flags.AA));
        assertEquals(List.of("100.64.0.3"), answers(m));
        ARecord a = (ARecord) m.getSection(Section.ANSWER).get(0);
        assertEquals(DnsAnswers.TTL.toSeconds(), a.getTTL());
        assertEquals(List.of("100.64.0.2"), answers(ask("HOME.Mesh.", Type.A)), "names are case-insensitive");
        assertEquals(List.of("100.64.0.3"), answers(ask("office.mesh.", Type.ANY)));
    }

    @Test
    void anUnknownNameInTheDomainIsNxdomainAndAKnownNameWithoutThatTypeIsNodata() throws IOException {
        Message unknown = ask("printer.mesh.", Type.A);
        assertEquals(Rcode.NXDOMAIN, unknown.getRcode());
        assertTrue(unknown.getHeader().getFlag(Flags.AA));
        assertEquals(Type.SOA, unknown.getSection(Section.AUTHORITY).get(0).getType(), "negative answers carry the SOA");

        for (Message m : List.of(ask("office.mesh.", Type.AAAA), ask("office.mesh.", Type.MX),
                ask("lost.mesh.", Type.A))) {
            assertEquals(Rcode.NOERROR, m.getRcode(), m.toString());
            assertEquals(List.of(), answers(m), m.toString());
            assertEquals(Type.SOA, m.getSection(Section.AUTHORITY).get(0).getType());
        }
        assertEquals(Type.SOA, ask("mesh.", Type.SOA).getSection(Section.ANSWER).get(0).getType());
    }

    @Test
    void aDualStackMemberHasAandAaaaAndBothReverseNamesButOnlyForTheAddressesItHolds() throws IOException {
        CertificateAuthority ca6 = CertificateAuthority.create("acme6", IpPrefix.parse("100.64.0.0/10"),
                IpPrefix.parse("fd00:64::/48"), NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(10)), RANDOM);
        Certificate office = ca6.sign(new CertificateRequest("office", IpPrefix.parse("100.64.0.3/16"),
                IpPrefix.parse("fd00:64::3/64"), List.of(), List.of(), Curve25519.publicKey(Curve25519.generatePrivateKey(RANDOM)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(RANDOM)), NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1))));
        Certificate half = ca6.sign(new CertificateRequest("half", IpPrefix.parse("100.64.0.4/16"),
                IpPrefix.parse("fd00:64::4/64"), List.of(), List.of(), Curve25519.publicKey(Curve25519.generatePrivateKey(RANDOM)),
                Ed25519Keys.publicKey(Ed25519Keys.generatePrivateKey(RANDOM)), NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1))));
        MeshNames names = MeshNames.of("mesh", List.of(new MeshNames.Member(office, true),
                // "half" lost its IPv4 address in a conflict and keeps its IPv6 one.
                new MeshNames.Member(half, List.of(IpPrefix.parse("fd00:64::4/128")))));
        assertEquals(List.of("fd00:64:0:0:0:0:0:3"), answers(ask(query("office.mesh.", Type.AAAA), names)));
        assertEquals(List.of("100.64.0.3"), answers(ask(query("office.mesh.", Type.A), names)));
        assertEquals(2, answers(ask(query("office.mesh.", Type.ANY), names)).size());
        assertEquals(List.of(), answers(ask(query("half.mesh.", Type.A), names)), "the IPv4 address it lost");
        assertEquals(List.of("fd00:64:0:0:0:0:0:4"), answers(ask(query("half.mesh.", Type.AAAA), names)));
        Message ptr = ask(query(ReverseMap.fromAddress("fd00:64::3").toString(), Type.PTR), names);
        assertEquals(Name.fromString("office.mesh."), ((PTRRecord) ptr.getSection(Section.ANSWER).get(0)).getTarget());
        assertEquals(Rcode.REFUSED, ask(query(ReverseMap.fromAddress("100.64.0.4").toString(), Type.PTR), names).getRcode());
    }

    private static Message query(String name, int type) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    }

    @Test
    void theReverseNameOfAMemberAddressGivesItsName() throws IOException {
        Message m = ask("3.0.64.100.in-addr.arpa.", Type.PTR);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(Name.fromString("office.mesh."), ((PTRRecord) m.getSection(Section.ANSWER).get(0)).getTarget());
        assertEquals(Rcode.REFUSED, ask("9.0.64.100.in-addr.arpa.", Type.PTR).getRcode(), "an address it lost");
        assertEquals(Rcode.REFUSED, ask("1.0.0.127.in-addr.arpa.", Type.PTR).getRcode());
    }

    @Test
    void namesOutsideTheDomainAreRefusedNotResolved() throws IOException {
        for (String name : List.of("example.com.", "mesh.example.com.", ".", "com.")) {
            Message m = ask(name, Type.A);
            assertEquals(Rcode.REFUSED, m.getRcode(), name);
            assertEquals(List.of(), answers(m), name);
            assertFalse(m.getHeader().getFlag(Flags.AA), name);
        }
        Message chaos = Message.newQuery(Record.newRecord(Name.fromString("office.mesh."), Type.A, DClass.CH));
        assertEquals(Rcode.REFUSED, ask(chaos, NAMES).getRcode());
    }

    @Test
    void whatIsNotAQueryGetsNothingBack() throws IOException {
        Message response = Message.newQuery(Record.newRecord(Name.fromString("office.mesh."), Type.A, DClass.IN));
        response.getHeader().setFlag(Flags.QR);
        byte[] wire = response.toWire();
        assertNull(DnsAnswers.answer(wire, wire.length, NAMES, false), "a response is never answered (no reflection)");
        byte[] good = Message.newQuery(Record.newRecord(Name.fromString("office.mesh."), Type.A, DClass.IN)).toWire();
        for (int cut = 0; cut < 12; cut++) {
            assertNull(DnsAnswers.answer(good, cut, NAMES, false), "cut to " + cut);
        }
        byte[] garbage = new byte[300];
        for (int i = 0; i < 200; i++) {
            RANDOM.nextBytes(garbage);
            garbage[2] &= 0x7f; // a query by its flags, so the parser is what must cope
            byte[] reply = DnsAnswers.answer(garbage, garbage.length, NAMES, false);
            if (reply != null) { // what parsed as a query gets a well-formed response to its own ID
                Message m = new Message(reply);
                assertTrue(m.getHeader().getFlag(Flags.QR));
                assertEquals(((garbage[0] & 0xff) << 8) | (garbage[1] & 0xff), m.getHeader().getID());
            }
        }
    }

    @Test
    void otherOpcodesAndOddQuestionCountsAreRefusedWithTheRightCode() throws IOException {
        Message update = Message.newQuery(Record.newRecord(Name.fromString("mesh."), Type.SOA, DClass.IN));
        update.getHeader().setOpcode(Opcode.UPDATE);
        assertEquals(Rcode.NOTIMP, ask(update, NAMES).getRcode());
        Message empty = new Message();
        assertEquals(Rcode.FORMERR, ask(empty, NAMES).getRcode());
    }

    @Test
    void ednsIsAnsweredWithOurPayloadAndAnUnknownVersionWithBadvers() throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("office.mesh."), Type.A, DClass.IN));
        q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        Message m = ask(q, NAMES);
        assertEquals(DnsAnswers.EDNS_PAYLOAD, m.getOPT().getPayloadSize());
        assertEquals(List.of("100.64.0.3"), answers(m));

        Message v1 = Message.newQuery(Record.newRecord(Name.fromString("office.mesh."), Type.A, DClass.IN));
        v1.addRecord(new OPTRecord(4096, 0, 1), Section.ADDITIONAL);
        assertEquals(Rcode.BADVERS, ask(v1, NAMES).getRcode());
    }

    @Test
    void aNameThatDiffersOnlyInCaseGoesToTheOlderCertificate() throws IOException {
        MeshNames names = MeshNames.of("mesh", List.of(
                new MeshNames.Member(cert("office", "100.64.0.30/16", Duration.ofMinutes(5)), true),
                new MeshNames.Member(cert("Office", "100.64.0.3/16", Duration.ofHours(2)), true)));
        Message m = ask(Message.newQuery(Record.newRecord(Name.fromString("office.mesh."), Type.A, DClass.IN)), names);
        assertEquals(List.of("100.64.0.3"), answers(m));
        assertEquals(1, names.size());
        assertArrayEquals(InetAddress.getByName("100.64.0.3").getAddress(),
                names.addresses(Name.fromString("OFFICE.mesh.")).get(0).getAddress());
    }

    @Test
    void aCertificateNameThatIsNoDnsNameIsLeftOut() {
        MeshNames names = MeshNames.of("corp.example", List.of(
                new MeshNames.Member(cert("a..b", "100.64.0.5/16", Duration.ofHours(1)), true),
                new MeshNames.Member(cert("db.eu", "100.64.0.6/16", Duration.ofHours(1)), true)));
        assertEquals(1, names.size());
        assertNotNull(names.addresses(Name.fromConstantString("db.eu.corp.example.")));
    }
}
