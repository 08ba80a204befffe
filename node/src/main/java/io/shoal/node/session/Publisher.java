package io.shoal.node.session;

/** Publishes a message to every matching subscriber (the broker's data path). Thread-safe. */
public interface Publisher {

    /** Returns how many subscribers (clients and shared groups) the message went to. */
    int publish(Publication publication);
}
