package io.shoal.node.delivery;

/** How a shared subscription picks the one member that gets a message. */
public enum ShareStrategy {
    /** Members in turn. */
    ROUND_ROBIN,
    /** A member at random. */
    RANDOM,
    /** The same member as last time while it stays online. */
    STICKY,
    /** By topic: a topic's messages go to the same member while the group is unchanged. */
    HASH_TOPIC,
    /** By the publisher's client id: its messages go to the same member while the group is unchanged. */
    HASH_CLIENT_ID
}
