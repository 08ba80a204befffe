package io.shoal.cluster.routing;

import io.shoal.node.topic.SubscriptionIndex;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * This node's materialized copy of the routing table, for the publish path: filter -> node ids in a
 * topic trie, so a lookup walks the topic's levels and never scans the filters; shared subscriptions
 * ("$share/group/filter") in a trie of their own, as groups with the nodes that have members. Readers take no
 * lock; one writer (the routing table actor) applies each bucket's new state as a diff against the
 * state it applied before.
 */
final class RouteView {

    private static final String SHARE_PREFIX = "$share/";

    /** Plain filters -> node ids. */
    private final SubscriptionIndex<String, Boolean> index = new SubscriptionIndex<>();
    /** The filters of shared subscriptions -> group ids ("group/filter"). */
    private final SubscriptionIndex<String, Boolean> groupIndex = new SubscriptionIndex<>();
    /** Group id -> the nodes with members; each set is replaced, never changed, so readers need no lock. */
    private final Map<String, Set<String>> groupNodes = new ConcurrentHashMap<>();
    private final AtomicInteger groupEntries = new AtomicInteger();
    /** Entries per node id, to tell which nodes the table names. */
    private final Map<String, Integer> entriesPerNode = new ConcurrentHashMap<>();
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
     * Tells {@code visitor} each shared subscription ("group/filter") whose filter matches
     * {@code topic}, with the nodes that have members of it (this one included, if it has).
     */
    void matchGroups(String topic, BiConsumer<String, Set<String>> visitor) {
        if (groupIndex.size() == 0) {
            return;
        }
        groupIndex.match(topic, (group, ignored) -> {
            Set<String> nodes = groupNodes.get(group);
            if (nodes != null) {
                visitor.accept(group, nodes);
            }
        });
    }

    /** The nodes with members of the shared subscription "group/filter" (this one included). */
    Set<String> nodesOfGroup(String groupId) {
        return groupNodes.getOrDefault(groupId, Set.of());
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
                    remove(filter, node.getKey());
                    removed.accept(filter, node.getKey());
                }
            }
        }
        for (Map.Entry<String, Set<String>> node : after.entrySet()) {
            Set<String> then = before.getOrDefault(node.getKey(), Set.of());
            for (String filter : node.getValue()) {
                if (!then.contains(filter)) {
                    add(filter, node.getKey());
                    added.accept(filter, node.getKey());
                }
            }
            entries += node.getValue().size();
        }
        entriesPerBucket.set(bucket, entries);
    }

    /** The ids of the nodes with at least one entry. */
    Set<String> nodes() {
        return Set.copyOf(entriesPerNode.keySet());
    }

    /** {@code key} is a plain filter or "$share/group/filter". */
    private void add(String key, String node) {
        entriesPerNode.merge(node, 1, Integer::sum);
        if (!key.startsWith(SHARE_PREFIX)) {
            index.put(key, node, Boolean.TRUE);
            return;
        }
        String group = groupOf(key);
        Set<String> before = groupNodes.getOrDefault(group, Set.of());
        if (!before.contains(node)) {
            Set<String> after = new HashSet<>(before);
            after.add(node);
            groupNodes.put(group, Set.copyOf(after));
            groupEntries.incrementAndGet();
            if (before.isEmpty()) {
                groupIndex.put(filterOf(key), group, Boolean.TRUE);
            }
        }
    }

    private void remove(String key, String node) {
        entriesPerNode.computeIfPresent(node, (n, count) -> count == 1 ? null : count - 1);
        if (!key.startsWith(SHARE_PREFIX)) {
            index.remove(key, node);
            return;
        }
        String group = groupOf(key);
        Set<String> before = groupNodes.getOrDefault(group, Set.of());
        if (before.contains(node)) {
            groupEntries.decrementAndGet();
            if (before.size() == 1) {
                groupNodes.remove(group);
                groupIndex.remove(filterOf(key), group);
            } else {
                Set<String> after = new HashSet<>(before);
                after.remove(node);
                groupNodes.put(group, Set.copyOf(after));
            }
        }
    }

    /** "$share/group/filter" -> "group/filter", the id deliveries of the group carry. */
    private static String groupOf(String sharedKey) {
        return sharedKey.substring(SHARE_PREFIX.length());
    }

    private static String filterOf(String sharedKey) {
        return sharedKey.substring(sharedKey.indexOf('/', SHARE_PREFIX.length()) + 1);
    }

    /** (filter, node) entries in one bucket. */
    int entries(int bucket) {
        return entriesPerBucket.get(bucket);
    }

    /** (filter, node) entries over all buckets. */
    int entries() {
        return index.size() + groupEntries.get();
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
