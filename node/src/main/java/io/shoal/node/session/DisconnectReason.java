package io.shoal.node.session;

/** Why a network connection ended; everything but {@link #CLIENT_DISCONNECT} publishes the will. */
public enum DisconnectReason {
    /** The client sent DISCONNECT. */
    CLIENT_DISCONNECT,
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
}
