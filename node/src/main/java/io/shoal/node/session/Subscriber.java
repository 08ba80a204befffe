package io.shoal.node.session;

/**
 * Something that takes messages for one client: its live connection, or its session while offline.
 * Called while the client's route is read-locked (see {@code SessionRoute}), possibly from several
 * threads at once, so it must be thread-safe and must only enqueue, never block.
 */
public interface Subscriber {

    void enqueue(PendingDelivery delivery);
}
