package dev.skein.tools;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import java.math.BigInteger;
import dev.skein.protocol.cert.Certificate;
import dev.skein.protocol.crypto.Curve25519;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The `--json` of every command, for scripts: each field of the message always present (a zero is 0, a false
 * is false, an empty list is []), 64-bit numbers as JSON numbers (protobuf's own JSON writes them as strings),
 * and what is unknown (an {@code optional} field not set, a message not sent) as {@code null}. Field names as
 * protobuf's JSON mapping gives them (lowerCamelCase).
 */
final class JsonOutput {
    private JsonOutput() {}

    /** {@code message} as pretty JSON. */
    static String render(Message message) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(object(message));
    }

    /** {@code {"NAME": [each message]}}: the shape of `peers --json` and `routes --json`. */
    static String render(String name, List<? extends Message> messages) {
        JsonObject o = new JsonObject();
        JsonArray a = new JsonArray();
        messages.forEach(m -> a.add(object(m)));
        o.add(name, a);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o);
    }

    /** `cert show --json`: what `cert show` says, with times as Unix seconds and keys in base64. */
    static String certificate(Certificate c) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", c.isCa() ? "ca" : "node");
        o.addProperty("name", c.name());
        o.addProperty(c.isCa() ? "network" : "address", c.address().toString());
        JsonArray subnets = new JsonArray();
        c.subnets().forEach(p -> subnets.add(p.toString()));
        o.add("subnets", subnets);
        JsonArray groups = new JsonArray();
        c.groups().forEach(groups::add);
        o.add("groups", groups);
        o.add("publicKey", c.isCa() ? JsonNull.INSTANCE : new JsonPrimitive(Curve25519.encodeBase64(c.x25519PublicKey())));
        o.addProperty("signingKey", Base64.getEncoder().encodeToString(c.ed25519PublicKey()));
        o.addProperty("notBefore", c.notBefore().getEpochSecond());
        o.addProperty("notAfter", c.notAfter().getEpochSecond());
        o.addProperty("fingerprint", HexFormat.of().formatHex(c.fingerprint()));
        o.add("issuer", c.isCa() ? JsonNull.INSTANCE : new JsonPrimitive(HexFormat.of().formatHex(c.issuer())));
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o);
    }

    private static JsonObject object(Message m) {
        JsonObject o = new JsonObject();
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            if (f.getRealContainingOneof() != null && !m.hasField(f)) {
                continue; // the other members of a oneof: only the one that is set exists
            }
            o.add(f.getJsonName(), field(m, f));
        }
        return o;
    }

    private static JsonElement field(Message m, FieldDescriptor f) {
        if (f.isMapField()) {
            JsonObject map = new JsonObject();
            for (Object entry : (List<?>) m.getField(f)) {
                MapEntry<?, ?> e = (MapEntry<?, ?>) entry;
                FieldDescriptor valueField = e.getDescriptorForType().findFieldByName("value");
                map.add(String.valueOf(e.getKey()), value(valueField, e.getValue()));
            }
            return map;
        }
        if (f.isRepeated()) {
            JsonArray a = new JsonArray();
            for (Object v : (List<?>) m.getField(f)) {
                a.add(value(f, v));
            }
            return a;
        }
        if (f.hasPresence() && !m.hasField(f)) {
            return JsonNull.INSTANCE;
        }
        return value(f, m.getField(f));
    }

    private static JsonElement value(FieldDescriptor f, Object v) {
        return switch (f.getJavaType()) {
            case MESSAGE -> object((Message) v);
            case BOOLEAN -> new JsonPrimitive((Boolean) v);
            case STRING -> new JsonPrimitive((String) v);
            case BYTE_STRING -> new JsonPrimitive(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            case ENUM -> new JsonPrimitive(((EnumValueDescriptor) v).getName());
            case INT -> new JsonPrimitive(unsigned32(f) ? Integer.toUnsignedLong((Integer) v) : (Integer) v);
            case LONG -> unsigned64(f) ? new JsonPrimitive(new BigInteger(Long.toUnsignedString((Long) v)))
                    : new JsonPrimitive((Long) v);
            case FLOAT -> new JsonPrimitive((Float) v);
            case DOUBLE -> new JsonPrimitive((Double) v);
        };
    }

    private static boolean unsigned32(FieldDescriptor f) {
        return f.getType() == FieldDescriptor.Type.UINT32 || f.getType() == FieldDescriptor.Type.FIXED32;
    }

    private static boolean unsigned64(FieldDescriptor f) {
        return f.getType() == FieldDescriptor.Type.UINT64 || f.getType() == FieldDescriptor.Type.FIXED64;
    }
}
