package io.shoal.node.session;

/** Publishes a message to every matching subscriber (the broker's data path). Thread-safe. */
public interface Publisher {

    /**
     * Returns how many subscribers (clients and shared groups) the message went to. Every offline
     * session among them expects a store on {@code receipt}, if there is one; the caller seals it.
     */
    int publish(Publication publication, StorageReceipt receipt);

    /** A message nobody waits on: QoS 0, or a will. */
    default int publish(Publication publication) {
        return publish(publication, null);
    }
}
