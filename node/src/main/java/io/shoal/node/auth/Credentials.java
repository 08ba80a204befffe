package io.shoal.node.auth;

import java.net.SocketAddress;

/** What a connecting client presents. {@code username} and {@code password} may be null. */
public record Credentials(String clientId, String username, byte[] password, SocketAddress remoteAddress) {
}
