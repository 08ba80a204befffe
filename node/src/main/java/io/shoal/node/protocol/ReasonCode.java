package io.shoal.node.protocol;

/** The MQTT 5 reason codes the broker sends (MQTT 5.0, 2.4), by name. */
final class ReasonCode {

    static final int SUCCESS = 0x00;
    static final int DISCONNECT_WITH_WILL_MESSAGE = 0x04;
    static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    static final int CONTINUE_AUTHENTICATION = 0x18;
    static final int RE_AUTHENTICATE = 0x19;
    /** MQTT 3.1.1 SUBACK failure, the only refusal that level knows. */
    static final int SUBACK_FAILURE_V3 = 0x80;
    static final int UNSPECIFIED_ERROR = 0x80;
    static final int MALFORMED_PACKET = 0x81;
    static final int PROTOCOL_ERROR = 0x82;
    static final int NOT_AUTHORIZED = 0x87;
    static final int TOPIC_FILTER_INVALID = 0x8F;
    static final int PACKET_IDENTIFIER_NOT_FOUND = 0x92;
    static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    static final int TOPIC_ALIAS_INVALID = 0x94;
    static final int PACKET_TOO_LARGE = 0x95;
    static final int PAYLOAD_FORMAT_INVALID = 0x99;
    static final int QOS_NOT_SUPPORTED = 0x9B;

    private ReasonCode() {
    }
}
