package io.shoal.node.delivery;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.topic.RetainedIndex;

import java.util.function.Consumer;

/** The retained message of every topic that has one, served from memory for wildcard lookups. */
public final class RetainedMessages {

    private final RetainedIndex<Publication> index = new RetainedIndex<>();
    private final BrokerMetrics metrics;
    private final RetainedStore store;

    public RetainedMessages(BrokerMetrics metrics, RetainedStore store) {
        this.metrics = metrics;
        this.store = store;
    }

    /**
     * Stores a retained PUBLISH; an empty payload deletes the topic's retained message instead. The
     * store's write, if any, joins {@code receipt}.
     */
    public void store(Publication publication, StorageReceipt receipt) {
        if (publication.payload().length == 0) {
            index.remove(publication.topic());
            metrics.increment(Counter.RETAINED_CLEARED);
        } else {
            index.put(publication.topic(), publication);
            metrics.increment(Counter.RETAINED_SET);
        }
        store.save(publication, receipt);
    }

    /**
     * A retained message set or cleared on another node of the cluster, which stored it: only this
     * node's index changes.
     */
    public void replicate(Publication publication) {
        if (publication.payload().length == 0) {
            index.remove(publication.topic());
        } else {
            index.put(publication.topic(), publication);
        }
    }

    /** Puts a retained message loaded from the store back into the index (at start, before clients). */
    public void restore(Publication publication) {
        index.put(publication.topic(), publication);
    }

    public void match(String filter, Consumer<Publication> visitor) {
        index.match(filter, visitor);
    }

    public int size() {
        return index.size();
    }
}
