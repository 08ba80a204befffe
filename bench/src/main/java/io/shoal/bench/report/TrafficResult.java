package io.shoal.bench.report;

/**
 * One traffic run (fanin, fanout, pairs) against one broker.
 *
 * @param expected     messages subscribers should have received: every message the broker
 *                     acknowledged (QoS 1/2) or was sent (QoS 0), once per subscriber it feeds
 * @param lost         expected messages that never arrived
 * @param duplicates   messages that arrived more than once at the same subscriber
 * @param deliveredPerSecond distinct messages subscribers received inside the measurement window, per second
 * @param p50Micros          end-to-end latency percentiles of messages sent inside the window; null
 *                           when none of them arrived before the run ended (an overloaded broker)
 * @param brokerCpuCores     CPU used by the broker process during the window, in cores (null if unknown);
 *                           with subscribers on another node, the publishers' broker
 * @param subscriberBrokerCpuCores the same for the subscribers' broker when it is another process
 *                           (another node of a cluster); null otherwise
 * @param connectionsClosed  publishers and subscribers whose connection the broker closed before the
 *                           run ended (a closed publisher stops publishing; nothing counts it as lost)
 */
public record TrafficResult(String broker, String scenario, int qos, int payloadBytes, int publishers,
                            int subscribers, double offeredPerSecond, double seconds, long sent, long expected,
                            long lost, long duplicates, double deliveredPerSecond, Double p50Micros,
                            Double p99Micros, Double p999Micros, Double maxMicros, Double brokerCpuCores,
                            Double subscriberBrokerCpuCores, Long brokerRssBytes, int connectionsClosed) implements Result {
}
