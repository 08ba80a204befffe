package io.shoal.cluster.routing;

import io.shoal.node.topic.SubscriptionIndex;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * This node's materialized copy of the routing table, for the publish path: filter -> node ids in a
 * topic trie, so a lookup walks the topic's levels and never scans the filters. Readers take no
 * lock; one writer (the routing table actor) applies each bucket's new state as a diff against the
 * state it applied before.
 */
final class RouteView {

    private final SubscriptionIndex<String, Boolean> index = new SubscriptionIndex<>();
    private final String selfId;
    private final AtomicIntegerArray entriesPerBucket;

    RouteView(String selfId, int buckets) {
        this.selfId = selfId;
        this.entriesPerBucket = new AtomicIntegerArray(buckets);
    }

    /** The ids of the other nodes with at least one filter matching {@code topic}. */
    Set<String> remoteNodesFor(String topic) {
        RemoteNodes found = new RemoteNodes(selfId);
        index.matchFilters(topic, found);
        return found.result();
    }

    /**
     * Brings one bucket from {@code before} to {@code after} (node id -> that node's filters in the
     * bucket) and reports each (filter, node) entry that appeared or disappeared.
     */
    void apply(int bucket, Map<String, Set<String>> before, Map<String, Set<String>> after,
               BiConsumer<String, String> added, BiConsumer<String, String> removed) {
        int entries = 0;
        for (Map.Entry<String, Set<String>> node : before.entrySet()) {
            Set<String> now = after.getOrDefault(node.getKey(), Set.of());
            for (String filter : node.getValue()) {
                if (!now.contains(filter)) {
                    index.remove(filter, node.getKey());
                    removed.accept(filter, node.getKey());
                }
            }
        }
        for (Map.Entry<String, Set<String>> node : after.entrySet()) {
            Set<String> then = before.getOrDefault(node.getKey(), Set.of());
            for (String filter : node.getValue()) {
                if (!then.contains(filter)) {
                    index.put(filter, node.getKey(), Boolean.TRUE);
                    added.accept(filter, node.getKey());
                }
            }
            entries += node.getValue().size();
        }
        entriesPerBucket.set(bucket, entries);
    }

    /** (filter, node) entries in one bucket. */
    int entries(int bucket) {
        return entriesPerBucket.get(bucket);
    }

    /** (filter, node) entries over all buckets. */
    int entries() {
        return index.size();
    }

    /** Collects node ids across the matching filters; most topics match none, so it allocates lazily. */
    private static final class RemoteNodes implements Consumer<Map<String, Boolean>> {
        private final String selfId;
        private Set<String> nodes;

        RemoteNodes(String selfId) {
            this.selfId = selfId;
        }

        @Override
        public void accept(Map<String, Boolean> filterNodes) {
            for (String node : filterNodes.keySet()) {
                if (!node.equals(selfId)) {
                    if (nodes == null) {
                        nodes = new HashSet<>(4);
                    }
                    nodes.add(node);
                }
            }
        }

        Set<String> result() {
            return nodes == null ? Set.of() : Collections.unmodifiableSet(nodes);
        }
    }
}
