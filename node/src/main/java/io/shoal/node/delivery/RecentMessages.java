package io.shoal.node.delivery;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The identities of the messages one client got during a short window, to deliver a message once
 * when it arrives twice: directly, and through the node the client has just left (see
 * {@link SessionRoute#expectHandover}). Thread-safe; it only lives for its window.
 */
final class RecentMessages {

    /** Bounds the memory of a busy client's window; beyond it a late second copy may get through. */
    private static final int MAX_REMEMBERED = 100_000;

    private final long untilNanos;
    private final Set<Long> seen = ConcurrentHashMap.newKeySet();

    RecentMessages(long windowNanos) {
        this.untilNanos = System.nanoTime() + windowNanos;
    }

    boolean over(long nowNanos) {
        return nowNanos - untilNanos > 0;
    }

    /** True the first time {@code id} is offered; messages without an identity (0) always pass. */
    boolean firstTime(long id) {
        return id == 0 || seen.size() >= MAX_REMEMBERED && !seen.contains(id) || seen.add(id);
    }
}
