package io.shoal.bench.report;

/**
 * One run of the connections scenario.
 *
 * @param connectP50Micros      time from opening the TCP connection to CONNACK, median
 * @param rssPerConnectionBytes growth of the broker's resident memory divided by the connections
 *                              held (null if the broker process could not be observed)
 * @param heapPerConnectionBytes for a JVM broker, growth of its live heap after a full GC divided
 *                              by the connections held (null for other brokers)
 */
public record ConnectionsResult(String broker, int requested, int connected, int failed, double connectsPerSecond,
                                double connectP50Micros, double connectP99Micros, double heldSeconds, Long brokerRssBeforeBytes, Long brokerRssHeldBytes,
                                Long rssPerConnectionBytes, Long heapPerConnectionBytes) implements Result {
}
