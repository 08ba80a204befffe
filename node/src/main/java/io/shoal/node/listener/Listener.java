package io.shoal.node.listener;

import java.net.InetSocketAddress;

/** An open port that accepts MQTT connections (plain TCP now; TLS and WebSocket follow the same shape). */
public interface Listener extends AutoCloseable {

    /** The address actually bound (useful when the configured port was 0). */
    InetSocketAddress localAddress();

    /** Stops accepting connections; open connections are not touched. */
    @Override
    void close();
}
