package io.shoal.node.delivery;

import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;

/**
 * Where retained messages are kept beyond the node's memory. The node serves every lookup from its
 * own index; the store only has to keep each topic's latest retained message for the next start.
 */
public interface RetainedStore {

    /** Nothing kept: retained messages live as long as the node. */
    RetainedStore NONE = (publication, receipt) -> {
    };

    /**
     * Keeps {@code publication} as its topic's retained message, or deletes the topic's retained
     * message if the payload is empty. Called on the publish path in publish order for a topic; must
     * not block, and must keep that order. A store that writes asynchronously registers the write
     * with {@code receipt} (null when nobody waits), so the publisher is acknowledged after it.
     */
    void save(Publication publication, StorageReceipt receipt);
}
