package io.shoal.cluster.session;

import java.time.Duration;

/**
 * How session entities behave.
 *
 * @param maxQueued          messages kept for an offline session; further ones are dropped and counted
 * @param queueQos0Offline   whether QoS 0 messages are queued for offline sessions
 * @param snapshotEvery      events between snapshots, which bounds recovery time
 * @param passivateAfter     how long an offline persistent session stays in memory without traffic
 * @param takeoverTimeout    how long a new connection waits for the previous one to hand the session back
 * @param askTimeout         how long a connection waits for its session to answer
 * @param routeHandover      how long the node a client left keeps routing its messages (through the
 *                           session) after it connected to another node: the time the cluster's
 *                           routing table takes to spread the new node's routes
 */
public record SessionSettings(int maxQueued, boolean queueQos0Offline, int snapshotEvery, Duration passivateAfter,
                              Duration takeoverTimeout, Duration askTimeout, Duration routeHandover) {

    /** Routes handed over within {@link #DEFAULT_ROUTE_HANDOVER}. */
    public SessionSettings(int maxQueued, boolean queueQos0Offline, int snapshotEvery, Duration passivateAfter,
                           Duration takeoverTimeout, Duration askTimeout) {
        this(maxQueued, queueQos0Offline, snapshotEvery, passivateAfter, takeoverTimeout, askTimeout,
                DEFAULT_ROUTE_HANDOVER);
    }

    /** Distributed Data spreads a change within a few gossip rounds (2 s each by default). */
    public static final Duration DEFAULT_ROUTE_HANDOVER = Duration.ofSeconds(10);
}
