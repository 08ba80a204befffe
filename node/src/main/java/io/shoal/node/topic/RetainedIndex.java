package io.shoal.node.topic;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Topic names to their retained message, looked up by topic filter when a client subscribes.
 * The same level trie as {@link SubscriptionIndex}, walked the other way round: here the stored
 * keys are concrete topics and the query holds the wildcards.
 */
public final class RetainedIndex<V> {

    private final LevelNode<V> root = new LevelNode<>();
    private final Object writeLock = new Object();
    private volatile int size;

    /** Stores or replaces the retained message of {@code topic}. */
    public void put(String topic, V message) {
        String[] levels = Topics.levels(topic);
        synchronized (writeLock) {
            LevelNode<V> node = root;
            for (String level : levels) {
                node = node.getOrCreateChild(level);
            }
            if (node.payload == null) {
                size++;
            }
            node.payload = message;
        }
    }

    /** Deletes the retained message of {@code topic}, if any. */
    public void remove(String topic) {
        String[] levels = Topics.levels(topic);
        synchronized (writeLock) {
            LevelNode<V> node = LevelNode.find(root, levels);
            if (node == null || node.payload == null) {
                return;
            }
            node.payload = null;
            size--;
            LevelNode.prune(root, levels, p -> false);
        }
    }

    /** Calls {@code visitor} with every retained message whose topic matches {@code filter}. */
    public void match(String filter, Consumer<V> visitor) {
        match(root, Topics.levels(filter), 0, visitor);
    }

    public int size() {
        return size;
    }

    private void match(LevelNode<V> node, String[] filter, int i, Consumer<V> visitor) {
        if (i == filter.length) {
            visit(node.payload, visitor);
            return;
        }
        String level = filter[i];
        if (level.equals(Topics.MULTI_LEVEL)) {
            // "a/#" also matches "a" itself; the root has no message of its own.
            visit(node.payload, visitor);
            for (Map.Entry<String, LevelNode<V>> child : node.children()) {
                if (i > 0 || !Topics.isSystemTopic(child.getKey())) {
                    visitAll(child.getValue(), visitor);
                }
            }
        } else if (level.equals(Topics.SINGLE_LEVEL)) {
            for (Map.Entry<String, LevelNode<V>> child : node.children()) {
                if (i > 0 || !Topics.isSystemTopic(child.getKey())) {
                    match(child.getValue(), filter, i + 1, visitor);
                }
            }
        } else {
            LevelNode<V> child = node.child(level);
            if (child != null) {
                match(child, filter, i + 1, visitor);
            }
        }
    }

    private void visitAll(LevelNode<V> node, Consumer<V> visitor) {
        visit(node.payload, visitor);
        for (Map.Entry<String, LevelNode<V>> child : node.children()) {
            visitAll(child.getValue(), visitor);
        }
    }

    private static <V> void visit(V message, Consumer<V> visitor) {
        if (message != null) {
            visitor.accept(message);
        }
    }
}
