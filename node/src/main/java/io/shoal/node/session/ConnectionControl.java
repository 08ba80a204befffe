package io.shoal.node.session;

/** What a session directory may do to a connection it did not open itself: end it. */
public interface ConnectionControl {

    /** Closes the network connection; its session is then detached as for any other close. */
    void close(DisconnectReason reason);
}
