package io.shoal.cluster.routing;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * How many local subscriptions this node has per filter. Only the 0 -> 1 and 1 -> 0 transitions are
 * reported, from inside the per-key atomic update, so transitions of one filter are reported in the
 * order they happened even when event loops race (a 1 -> 0 followed by 0 -> 1 never arrives as
 * add-then-remove).
 */
final class LocalFilterCounts {

    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    void increment(String filter, Consumer<String> onFirst) {
        counts.compute(filter, (f, n) -> {
            if (n == null) {
                onFirst.accept(f);
                return 1;
            }
            return n + 1;
        });
    }

    /** A decrement of a filter not held is ignored. */
    void decrement(String filter, Consumer<String> onLast) {
        counts.computeIfPresent(filter, (f, n) -> {
            if (n == 1) {
                onLast.accept(f);
                return null;
            }
            return n - 1;
        });
    }

    boolean holds(String filter) {
        return counts.containsKey(filter);
    }

    /** A snapshot of the filters held now. */
    List<String> filters() {
        return List.copyOf(counts.keySet());
    }

    int size() {
        return counts.size();
    }
}
