package io.shoal.node.session;

import java.util.concurrent.CompletionStage;

/**
 * Where sessions live. Every CONNECT goes through it, so that one client identifier has one session
 * and at most one connection (the directory closes the previous one before it answers).
 * Implemented by the cluster module; the node only states what it needs.
 */
public interface SessionDirectory {

    /**
     * Attaches a connection to the session of {@code clientId}: the existing one, or a new one if
     * there is none or {@code cleanStart} discards it. The session outlives the connection by
     * {@code expirySeconds} (0: it ends with the connection; 0xFFFFFFFF: never). {@code will} is the
     * connection's will, or null: the session publishes it should the connection be lost without a
     * word (its node gone). Completes once any previous connection of the client is closed.
     */
    CompletionStage<AttachedSession> connect(String clientId, boolean cleanStart, long expirySeconds, Will will,
                                             ConnectionControl connection);
}
