package io.shoal.bench.report;

/**
 * One run of the offline scenario: QoS 1 messages published to offline persistent sessions, then
 * those sessions reconnected and drained. A half the run skipped is null.
 *
 * @param topics {@code own}: each message to one subscriber, round robin; {@code shared}: every
 *               message to every subscriber
 */
public record OfflineResult(String broker, int subscribers, int publishers, String topics, long messages,
                            Burst burst, Drain drain) implements Result {

    /**
     * The publishers' burst.
     *
     * @param acknowledged          messages the broker acknowledged, each once the offline sessions it
     *                              goes to had stored it
     * @param acknowledgedPerSecond acknowledged over the time from the first PUBLISH to the last PUBACK
     * @param queuedPerSecond       the same in messages queued: acknowledged times the sessions each goes to
     * @param ackP50Micros          PUBLISH to PUBACK, as a publisher sees it
     */
    public record Burst(long acknowledged, double acknowledgedPerSecond, double queuedPerSecond,
                        Double ackP50Micros, Double ackP99Micros, Double ackP999Micros, Double ackMaxMicros) {
    }

    /**
     * The subscribers' return.
     *
     * @param connAckP50Micros TCP connect to CONNACK of a reconnecting subscriber
     * @param seconds          from the first reconnect to the last queued message received
     * @param lost             published messages that never arrived
     * @param outOfOrder       messages received after a later one from the same publisher
     */
    public record Drain(int reconnected, Double connAckP50Micros, Double connAckMaxMicros, double seconds,
                        double drainedPerSecond, long expected, long received, long lost, long duplicates,
                        long outOfOrder) {
    }

    /** True when something was refused, lost, duplicated or reordered. */
    public boolean failed() {
        return burst != null && burst.acknowledged() < messages
                || drain != null && (drain.reconnected() < subscribers || drain.lost() > 0
                || drain.duplicates() > 0 || drain.outOfOrder() > 0);
    }
}
