package io.shoal.node.session;

/** One topic filter of a session with the QoS the broker granted for it. */
public record Subscription(String filter, int qos) {
}
