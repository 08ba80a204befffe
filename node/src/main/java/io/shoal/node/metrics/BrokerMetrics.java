package io.shoal.node.metrics;

import java.util.concurrent.atomic.LongAdder;

/** The node's counters. Cheap to increment from any thread. */
public final class BrokerMetrics {

    private final LongAdder[] counters = new LongAdder[Counter.values().length];

    public BrokerMetrics() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    public void increment(Counter counter) {
        counters[counter.ordinal()].increment();
    }

    public void add(Counter counter, long amount) {
        if (amount != 0) {
            counters[counter.ordinal()].add(amount);
        }
    }

    public long get(Counter counter) {
        return counters[counter.ordinal()].sum();
    }
}
