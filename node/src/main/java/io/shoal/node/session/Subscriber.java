package io.shoal.node.session;

/**
 * Something that takes messages for one client: its live connection, or its session while offline.
 * Called with the client's route locked (see {@code SessionRoute}), so it must only enqueue, never block.
 */
public interface Subscriber {

    void enqueue(Publication publication, int qos);
}
