package io.shoal.node.session;

/**
 * Why a network connection ended; everything but {@link #CLIENT_DISCONNECT} publishes the will.
 * The MQTT 5 reason code goes with the DISCONNECT the broker sends, where it sends one.
 */
public enum DisconnectReason {
    /** The client sent DISCONNECT. */
    CLIENT_DISCONNECT,
    /** The client sent DISCONNECT with reason 0x04: publish the will anyway. */
    CLIENT_DISCONNECT_WITH_WILL,
    /** The network connection was lost or closed by the client without DISCONNECT. */
    CONNECTION_LOST,
    /** Nothing received for 1.5 times the keep-alive. */
    KEEP_ALIVE_TIMEOUT,
    /** The client broke the protocol or sent a malformed packet. */
    PROTOCOL_ERROR,
    /** Another connection with the same client identifier took the session over. */
    SESSION_TAKEN_OVER,
    /** The broker is shutting down. */
    SERVER_SHUTTING_DOWN;

    public boolean publishesWill() {
        return this != CLIENT_DISCONNECT;
    }

    /** The reason code of the DISCONNECT the broker sends an MQTT 5 client for this, or -1 for none. */
    public int reasonCode() {
        return switch (this) {
            case KEEP_ALIVE_TIMEOUT -> 0x8D;
            case SESSION_TAKEN_OVER -> 0x8E;
            case SERVER_SHUTTING_DOWN -> 0x8B;
            default -> -1;
        };
    }
}
