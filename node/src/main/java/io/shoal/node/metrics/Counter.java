package io.shoal.node.metrics;

/** Every event the broker counts; each drop and each limit hit has its own counter. */
public enum Counter {
    CONNECTIONS_OPENED("network connections accepted"),
    CONNECTIONS_CLOSED("network connections closed, for any reason"),
    CONNECT_REJECTED("CONNECTs answered with a refusal"),
    PROTOCOL_ERRORS("connections closed for a malformed packet or a protocol violation"),
    PACKETS_TOO_LARGE("packets refused for exceeding the maximum packet size"),
    KEEP_ALIVE_TIMEOUTS("connections closed for keep-alive timeout"),
    CONNECT_TIMEOUTS("connections closed for sending no CONNECT in time"),
    SESSIONS_TAKEN_OVER("connections closed because the client connected again"),
    SESSIONS_UNLOADED("offline or ended sessions removed from memory (persistent ones reload from their journal)"),
    PUBLISHES_RECEIVED("PUBLISH packets received from clients"),
    MESSAGES_SENT("PUBLISH packets sent to clients"),
    RETAINED_SET("retained messages stored or replaced"),
    RETAINED_CLEARED("retained messages deleted by an empty payload"),
    RETAINED_STORE_FAILED("retained messages (or deletions) the store failed to write; the node still serves them"),
    WILLS_PUBLISHED("will messages published"),
    DROPPED_QUEUE_FULL("messages dropped because an online client's queue was full"),
    DROPPED_OFFLINE_QUEUE_FULL("messages dropped because an offline session's queue was full"),
    DROPPED_QOS0_OFFLINE("QoS 0 messages not queued for an offline session (queue-qos0-offline = off)"),
    DROPPED_EXPIRED("messages dropped because their MQTT 5 Message Expiry Interval passed before delivery"),
    DROPPED_TOO_LARGE_FOR_CLIENT("messages not sent because they exceed the client's MQTT 5 Maximum Packet Size"),
    SESSIONS_EXPIRED("offline sessions ended by their session expiry interval"),
    DROPPED_ACK_GIVEN_UP("messages for an offline session not stored because their publisher was already told they were not (store timed out); it sends them again"),
    MESSAGES_JOURNALED_UNACKNOWLEDGED("messages an online client with a persistent session left unacknowledged for journal-unacknowledged-after, journaled so that their publishers could be acknowledged"),
    SHARED_REDELIVERED("shared-subscription messages sent to another group member after theirs left unacknowledged"),
    ACK_STORE_FAILED("QoS 1/2 PUBLISHes not acknowledged as accepted because an offline session failed to store the message"),
    MESSAGES_FORWARDED("messages sent to another node of the cluster (one per node, however many subscribers there)"),
    FORWARDS_RECEIVED("messages another node forwarded here for this node's subscribers"),
    DROPPED_NO_PEER("forwards not sent because the node the routing table names cannot be reached now (unreachable, or gone and its sessions not yet taken over); a QoS 1/2 publisher is told its message was not accepted"),
    DUPLICATES_SUPPRESSED("messages not delivered twice to a client that moved to another node (they came both directly and through the node it left)"),
    DROPPED_SHARE_GROUP_GONE("forwarded shared-subscription messages dropped because the group had no member here any more"),
    DETACHES_UNACKNOWLEDGED("ended connections whose session never acknowledged their detach, however often it was sent (its node unreachable for minutes): the session stays attached until its client connects again or a sweep finds the connection's node gone"),
    ACK_STORE_TIMED_OUT("QoS 1/2 PUBLISHes not acknowledged as accepted because storing the message for an offline session took longer than the request timeout");

    private final String description;

    Counter(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
