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
 */
public record SessionSettings(int maxQueued, boolean queueQos0Offline, int snapshotEvery, Duration passivateAfter,
                              Duration takeoverTimeout, Duration askTimeout) {
}
