package io.shoal.deploy.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-made MQTT packets for the cases real clients refuse to produce. */
final class Packets {

    private Packets() {
    }

    /** A CONNECT with the given protocol name, level and flags; the payload holds exactly what the flags announce. */
    static byte[] connect(String protocolName, int level, int flags, String clientId) {
        return connect(protocolName, level, flags, utf8(clientId), utf8("will"), utf8("user"));
    }

    /** A CONNECT whose client id, will topic and user name are raw bytes (so they can be invalid UTF-8). */
    static byte[] connect(String protocolName, int level, int flags, byte[] clientId, byte[] willTopic, byte[] user) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, utf8(protocolName));
        body.write(level);
        body.write(flags);
        body.write(0);
        body.write(60); // keep alive
        writeString(body, clientId);
        if ((flags & 0x04) != 0) {
            writeString(body, willTopic);
            writeString(body, utf8("gone"));
        }
        if ((flags & 0x80) != 0) {
            writeString(body, user);
        }
        if ((flags & 0x40) != 0) {
            writeString(body, "secret".getBytes(StandardCharsets.UTF_8));
        }
        return packet(0x10, body.toByteArray());
    }

    /** A PUBLISH whose topic is given as raw bytes (so it can be invalid UTF-8). */
    static byte[] publish(byte[] topic, int qos, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        if (qos > 0) {
            body.write(packetId >> 8);
            body.write(packetId & 0xFF);
        }
        body.writeBytes(payload);
        return packet(0x30 | (qos << 1), body.toByteArray());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }
}
