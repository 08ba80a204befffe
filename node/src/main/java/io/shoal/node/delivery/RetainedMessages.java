package io.shoal.node.delivery;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.Publication;
import io.shoal.node.topic.RetainedIndex;

import java.util.function.Consumer;

/** The retained message of every topic that has one, served from memory for wildcard lookups. */
public final class RetainedMessages {

    private final RetainedIndex<Publication> index = new RetainedIndex<>();
    private final BrokerMetrics metrics;

    public RetainedMessages(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    /** Stores a retained PUBLISH; an empty payload deletes the topic's retained message instead. */
    public void store(Publication publication) {
        if (publication.payload().length == 0) {
            index.remove(publication.topic());
            metrics.increment(Counter.RETAINED_CLEARED);
        } else {
            index.put(publication.topic(), publication);
            metrics.increment(Counter.RETAINED_SET);
        }
    }

    public void match(String filter, Consumer<Publication> visitor) {
        index.match(filter, visitor);
    }

    public int size() {
        return index.size();
    }
}
