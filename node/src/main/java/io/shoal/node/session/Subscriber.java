package io.shoal.node.session;

/**
 * Something that takes messages for one client: its live connection, or its session while offline.
 * Called while the client's route is read-locked (see {@code SessionRoute}), possibly from several
 * threads at once, so it must be thread-safe and must only enqueue, never block.
 */
public interface Subscriber {

    /**
     * @param receipt the publisher's, or null if nobody waits: a subscriber that stores the message
     *                (an offline session) expects a store on it before this returns, and settles it
     *                once stored; a live connection ignores it
     */
    void enqueue(PendingDelivery delivery, StorageReceipt receipt);
}
