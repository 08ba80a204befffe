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
     * {@code expirySeconds} (0: it ends with the connection; 0xFFFFFFFF: never). Completes once any
     * previous connection of the client is closed.
     */
    CompletionStage<AttachedSession> connect(String clientId, boolean cleanStart, long expirySeconds,
                                             ConnectionControl connection);
}
