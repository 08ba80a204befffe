package io.shoal.node.topic;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Topic filters to subscribers, matched against topic names on the publish path.
 *
 * <p>A trie over topic levels in which '+' and '#' are ordinary child keys, so a match walks at most
 * three branches per level. Readers take no lock, so every event loop can match concurrently;
 * writers (subscribe and unsubscribe, far rarer than publishes) serialise on one lock so that
 * pruning an empty branch never races an insert into it.
 *
 * @param <K> identifies a subscriber (one entry per filter and subscriber)
 * @param <V> what the subscription carries (granted QoS, options)
 */
public final class SubscriptionIndex<K, V> {

    private final LevelNode<Map<K, V>> root = new LevelNode<>();
    private final Object writeLock = new Object();
    private volatile int size;

    /** Adds or replaces the subscription of {@code key} to {@code filter}; returns the one replaced. */
    public V put(String filter, K key, V value) {
        String[] levels = Topics.levels(filter);
        synchronized (writeLock) {
            LevelNode<Map<K, V>> node = root;
            for (String level : levels) {
                node = node.getOrCreateChild(level);
            }
            Map<K, V> subscribers = node.payload;
            if (subscribers == null) {
                subscribers = new ConcurrentHashMap<>(2);
                node.payload = subscribers;
            }
            V previous = subscribers.put(key, value);
            if (previous == null) {
                size++;
            }
            return previous;
        }
    }

    /** Removes the subscription of {@code key} to {@code filter}; true if there was one. */
    public boolean remove(String filter, K key) {
        String[] levels = Topics.levels(filter);
        synchronized (writeLock) {
            LevelNode<Map<K, V>> node = LevelNode.find(root, levels);
            if (node == null || node.payload == null || node.payload.remove(key) == null) {
                return false;
            }
            size--;
            LevelNode.prune(root, levels, Map::isEmpty);
            return true;
        }
    }

    /** Calls {@code visitor} once per matching (filter, subscriber); a subscriber may match several filters. */
    public void match(String topic, BiConsumer<K, V> visitor) {
        matchFilters(topic, subscribers -> subscribers.forEach(visitor));
    }

    /**
     * Calls {@code visitor} once per matching filter with that filter's subscribers (a live,
     * read-only view). Within one filter every subscriber appears once; across filters it may repeat.
     */
    public void matchFilters(String topic, Consumer<Map<K, V>> visitor) {
        match(root, Topics.levels(topic), 0, Topics.isSystemTopic(topic), visitor);
    }

    /** Number of (filter, subscriber) entries. */
    public int size() {
        return size;
    }

    private void match(LevelNode<Map<K, V>> node, String[] levels, int i, boolean systemTopic,
                       Consumer<Map<K, V>> visitor) {
        // A filter must not begin with a wildcard to match a '$' topic [MQTT-4.7.2-1].
        boolean wildcardsAllowed = i > 0 || !systemTopic;
        if (wildcardsAllowed) {
            // '#' also matches the parent level itself: "a/#" matches "a".
            LevelNode<Map<K, V>> multi = node.child(Topics.MULTI_LEVEL);
            if (multi != null) {
                visit(multi.payload, visitor);
            }
        }
        if (i == levels.length) {
            visit(node.payload, visitor);
            return;
        }
        LevelNode<Map<K, V>> exact = node.child(levels[i]);
        if (exact != null) {
            match(exact, levels, i + 1, systemTopic, visitor);
        }
        if (wildcardsAllowed) {
            LevelNode<Map<K, V>> single = node.child(Topics.SINGLE_LEVEL);
            if (single != null) {
                match(single, levels, i + 1, systemTopic, visitor);
            }
        }
    }

    private static <K, V> void visit(Map<K, V> subscribers, Consumer<Map<K, V>> visitor) {
        if (subscribers != null && !subscribers.isEmpty()) {
            visitor.accept(subscribers);
        }
    }
}
