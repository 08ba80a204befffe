package io.shoal.node.codec;

/** Passed up the pipeline instead of a packet that must not be decoded; the connection is then closed. */
public record PacketRejected(Kind kind, String reason) {

    public enum Kind {
        /** Larger than the maximum packet size. */
        TOO_LARGE,
        /** Not a well-formed MQTT packet (bad length, bad UTF-8, reserved bits set). */
        MALFORMED,
        /** A CONNECT for a protocol other than MQTT: closed without CONNACK [MQTT-3.1.2-1]. */
        UNKNOWN_PROTOCOL
    }
}
