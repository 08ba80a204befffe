package io.shoal.node.session;

/**
 * One topic filter of a session with the QoS the broker granted and its MQTT 5 options.
 *
 * @param retainHandling 0: send retained messages on subscribe, 1: only if the subscription is new,
 *                       2: never
 * @param identifier     the Subscription Identifier to send with matching messages, 0 if none
 * @param shareGroup     the group of a shared subscription ($share/group/filter), null otherwise;
 *                       {@code filter} is then the filter without the prefix
 */
public record Subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling,
                           int identifier, String shareGroup) {

    /** A subscription as MQTT 3.1.1 makes it: QoS only. */
    public Subscription(String filter, int qos) {
        this(filter, qos, false, false, 0, 0, null);
    }

    public boolean shared() {
        return shareGroup != null;
    }

    /** The filter as the client wrote it, which is what identifies the subscription in its session. */
    public String key() {
        return shared() ? "$share/" + shareGroup + "/" + filter : filter;
    }
}
