package io.shoal.cluster.delivery;

import io.shoal.cluster.NodeGateway;
import io.shoal.node.delivery.RetainedStore;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;

/**
 * Retained messages across the cluster: a set or clear is stored once, by the node it was published
 * on, and every other node is told to update its in-memory index, so that a SUBSCRIBE anywhere sees
 * it. A node that starts later loads the stored ones (Cassandra) before it takes clients.
 */
public final class ReplicatedRetainedStore implements RetainedStore {

    private final RetainedStore store;
    private final Peers peers;

    public ReplicatedRetainedStore(RetainedStore store, Peers peers) {
        this.store = store;
        this.peers = peers;
    }

    @Override
    public void save(Publication publication, StorageReceipt receipt) {
        store.save(publication, receipt);
        NodeGateway.RetainedChanged changed = new NodeGateway.RetainedChanged(publication);
        peers.others().forEach(gateway -> gateway.tell(changed));
    }
}
