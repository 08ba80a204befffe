package io.shoal.node.session;

/** Publishes a message to every matching subscriber (the broker's data path). Thread-safe. */
public interface Publisher {

    void publish(Publication publication);
}
