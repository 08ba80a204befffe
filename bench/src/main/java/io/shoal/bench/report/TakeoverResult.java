package io.shoal.bench.report;

/**
 * One run of the takeover scenario: persistent sessions moved from one broker node to another.
 *
 * @param mode             {@code live}: the old connection was still open, with messages in flight;
 *                         {@code offline}: the client had disconnected, with messages queued
 * @param messagesPerSession messages each session had in flight or queued when it moved
 * @param moved            sessions whose new connection got its CONNACK
 * @param failed           new connections refused or closed before CONNACK
 * @param sessionNotPresent CONNACKs with session present 0: the session was lost
 * @param oldNotClosed     live: old connections still open when the takeover timed out
 * @param toldTakenOver    live, MQTT 5: old connections told DISCONNECT 0x8E; null otherwise
 * @param connAck          CONNECT written to CONNACK received, on the new connection
 * @param oldClosed        live: CONNECT written to the old connection closed
 * @param lastPending      CONNECT written to the last in-flight or queued message received again
 * @param after            PUBLISH to arrival of a message published when the CONNACK arrived
 * @param lost             in-flight or queued messages that never arrived on the new connection
 * @param afterLost        messages published after the CONNACK that never arrived
 * @param seconds          from the first new CONNECT to the last takeover complete
 */
public record TakeoverResult(String broker, String mode, int sessions, int concurrency, int messagesPerSession,
                             int moved, int failed, int sessionNotPresent, int oldNotClosed, Integer toldTakenOver,
                             Latency connAck, Latency oldClosed, Latency lastPending, Latency after, long lost,
                             long afterLost, long duplicates, double seconds) implements Result {

    /** Percentiles over the sessions, in microseconds; null when nothing was measured. */
    public record Latency(Double p50Micros, Double p99Micros, Double maxMicros) {
    }

    public double takeoversPerSecond() {
        return seconds > 0 ? moved / seconds : 0;
    }

    /** True when a session did not move intact. */
    public boolean failedAny() {
        return moved < sessions || failed > 0 || sessionNotPresent > 0 || oldNotClosed > 0 || lost > 0
                || afterLost > 0 || duplicates > 0;
    }
}
