package dev.skein.node.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers one DNS query from the mesh's names, authoritatively and never recursively: {@code NAME.DOMAIN} (A,
 * AAAA, ANY) gives a member's overlay addresses, the reverse name of a member's address (PTR) its name. A name
 * inside the domain that no member has is NXDOMAIN; a name outside it, or a reverse name of no member, is
 * REFUSED, so the node is no open resolver and no one's path to the rest of DNS. No state, no I/O.
 *
 * <p>What is not a query is not answered (a response, a datagram that does not parse): answering it would let
 * anyone bounce traffic off the node. The wire format is dnsjava's.
 */
public final class DnsAnswers {
    /** Short: members come and go, and a resolver must not keep a departed member's address for long. */
    static final Duration TTL = Duration.ofSeconds(10);
    /** The EDNS payload we offer and accept at most over UDP: fits an IPv6 minimum MTU, as DNS Flag Day 2020. */
    static final int EDNS_PAYLOAD = 1232;
    /** Without EDNS a UDP answer is at most 512 bytes (RFC 1035); a longer one is truncated (TC) for TCP. */
    static final int PLAIN_UDP_PAYLOAD = 512;
    static final int TCP_PAYLOAD = 65535;

    private DnsAnswers() {}

    /**
     * The answer's wire format, or null when nothing must be sent back (not a query, or unreadable).
     *
     * @param overTcp the query came over TCP: no size limit but DNS's own
     */
    public static byte[] answer(byte[] datagram, int length, MeshNames names, boolean overTcp) {
        Message query;
        try {
            query = new Message(java.util.Arrays.copyOf(datagram, length));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        Header h = query.getHeader();
        if (h.getFlag(Flags.QR)) {
            return null;
        }
        Message reply = new Message(h.getID());
        Header rh = reply.getHeader();
        rh.setFlag(Flags.QR);
        rh.setOpcode(h.getOpcode());
        if (h.getFlag(Flags.RD)) {
            rh.setFlag(Flags.RD); // copied, as RFC 1035 says; RA stays clear: we do not recurse
        }
        OPTRecord opt = query.getOPT();
        int limit = overTcp ? TCP_PAYLOAD
                : opt == null ? PLAIN_UDP_PAYLOAD : Math.min(EDNS_PAYLOAD, Math.max(PLAIN_UDP_PAYLOAD, opt.getPayloadSize()));
        if (opt != null) {
            if (opt.getVersion() != 0) {
                // BADVERS (16): the low four bits in the header, the high eight in the OPT record.
                reply.addRecord(new OPTRecord(EDNS_PAYLOAD, Rcode.BADVERS >>> 4, 0), Section.ADDITIONAL);
                rh.setRcode(Rcode.BADVERS & 0xF);
                return reply.toWire(limit);
            }
            reply.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        if (h.getOpcode() != Opcode.QUERY) {
            rh.setRcode(Rcode.NOTIMP);
            return reply.toWire(limit);
        }
        Record question = query.getQuestion();
        if (question == null || h.getCount(Section.QUESTION) != 1) {
            rh.setRcode(Rcode.FORMERR);
            return reply.toWire(limit);
        }
        reply.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        int type = question.getType();
        if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
            rh.setRcode(Rcode.REFUSED);
        } else if (name.subdomain(names.origin())) {
            rh.setFlag(Flags.AA);
            forward(reply, name, type, names);
        } else {
            Name member = names.nameOf(name);
            if (member == null) {
                rh.setRcode(Rcode.REFUSED);
            } else {
                rh.setFlag(Flags.AA);
                if (type == Type.PTR || type == Type.ANY) {
                    reply.addRecord(new PTRRecord(name, DClass.IN, TTL.toSeconds(), member), Section.ANSWER);
                }
            }
        }
        return reply.toWire(limit);
    }

    private static void forward(Message reply, Name name, int type, MeshNames names) {
        Name origin = names.origin();
        if (name.equals(origin)) {
            if (type == Type.SOA || type == Type.ANY) {
                reply.addRecord(soa(origin), Section.ANSWER);
            } else {
                reply.addRecord(soa(origin), Section.AUTHORITY);
            }
            return;
        }
        List<InetAddress> addresses = names.addresses(name);
        if (addresses == null) {
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
            reply.addRecord(soa(origin), Section.AUTHORITY); // how long a resolver may remember the no (RFC 2308)
            return;
        }
        long ttl = TTL.toSeconds();
        for (InetAddress a : addresses) {
            if (a instanceof Inet4Address && (type == Type.A || type == Type.ANY)) {
                reply.addRecord(new ARecord(name, DClass.IN, ttl, a), Section.ANSWER);
            } else if (a instanceof Inet6Address && (type == Type.AAAA || type == Type.ANY)) {
                reply.addRecord(new AAAARecord(name, DClass.IN, ttl, a), Section.ANSWER);
            }
        }
        if (reply.getHeader().getCount(Section.ANSWER) == 0) {
            reply.addRecord(soa(origin), Section.AUTHORITY); // the name exists, not with that type (NODATA)
        }
    }

    private static SOARecord soa(Name origin) {
        long ttl = TTL.toSeconds();
        try {
            Name admin = Name.concatenate(Name.fromConstantString("hostmaster"), origin);
            // Serial 1 and no transfers: each node makes the zone up from what it knows; the minimum (the negative
            // answer's lifetime) is the TTL, so a newcomer's name works within it.
            return new SOARecord(origin, DClass.IN, ttl, origin, admin, 1, ttl, ttl, ttl, ttl);
        } catch (NameTooLongException e) {
            throw new IllegalStateException("the domain is checked to leave room for 'hostmaster.'", e);
        }
    }
}
