package io.shoal.node.topic;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One level of a topic trie. Children and the payload are created lazily so that the many leaf
 * nodes of a large tree stay small. Safe for lock-free readers; writers must be serialised by the
 * owning index (see {@link SubscriptionIndex} and {@link RetainedIndex}).
 */
final class LevelNode<T> {

    private volatile ConcurrentHashMap<String, LevelNode<T>> children;
    volatile T payload;

    LevelNode<T> child(String level) {
        ConcurrentHashMap<String, LevelNode<T>> c = children;
        return c == null ? null : c.get(level);
    }

    /** Writers only. */
    LevelNode<T> getOrCreateChild(String level) {
        ConcurrentHashMap<String, LevelNode<T>> c = children;
        if (c == null) {
            c = new ConcurrentHashMap<>(2);
            children = c;
        }
        return c.computeIfAbsent(level, l -> new LevelNode<>());
    }

    Iterable<java.util.Map.Entry<String, LevelNode<T>>> children() {
        ConcurrentHashMap<String, LevelNode<T>> c = children;
        return c == null ? java.util.List.of() : c.entrySet();
    }

    boolean hasChildren() {
        ConcurrentHashMap<String, LevelNode<T>> c = children;
        return c != null && !c.isEmpty();
    }

    /** Writers only: walks to the node of the given levels, or null if the path does not exist. */
    static <T> LevelNode<T> find(LevelNode<T> root, String[] levels) {
        LevelNode<T> node = root;
        for (String level : levels) {
            node = node.child(level);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /**
     * Writers only: removes the nodes on the path that carry nothing any more, deepest first.
     * {@code isEmpty} tells whether a payload counts as nothing.
     */
    static <T> void prune(LevelNode<T> root, String[] levels, java.util.function.Predicate<T> isEmpty) {
        @SuppressWarnings("unchecked")
        LevelNode<T>[] path = new LevelNode[levels.length + 1];
        path[0] = root;
        for (int i = 0; i < levels.length; i++) {
            path[i + 1] = path[i].child(levels[i]);
            if (path[i + 1] == null) {
                return;
            }
        }
        for (int i = levels.length; i > 0; i--) {
            LevelNode<T> node = path[i];
            T p = node.payload;
            if ((p != null && !isEmpty.test(p)) || node.hasChildren()) {
                return;
            }
            path[i - 1].children.remove(levels[i - 1]);
        }
    }
}
