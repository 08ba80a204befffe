package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.Stored;

import java.util.List;
import java.util.Set;

/**
 * What the journal of a persistent session records. These are a storage format: each is stored under
 * the name {@link Stored} gives it, and a field is never renamed, removed or re-typed without
 * following docs/persistence.md.
 */
public sealed interface SessionEvent extends Stored {

    /** A persistent session came into being (a client id with no session, and a session expiry above 0). */
    record SessionOpened(long timestampMillis) implements SessionEvent {
    }

    /** A client resumed the session: its expiry and any delayed will are cancelled [MQTT-3.1.3-9]. */
    record SessionResumed(long timestampMillis) implements SessionEvent {
    }

    /** Subscriptions added or replaced. */
    record Subscribed(List<Subscription> subscriptions) implements SessionEvent {
    }

    /** Subscriptions removed, by the filter as the client wrote it. */
    record Unsubscribed(List<String> filters) implements SessionEvent {
    }

    /** A message queued while the client was offline. */
    record MessageQueued(PendingDelivery delivery) implements SessionEvent {
    }

    /**
     * The client disconnected at {@code timestampMillis}: what was not yet acknowledged replaces the
     * pending messages, the inbound QoS 2 packet ids still awaiting PUBREL are remembered, the session
     * expires {@code expirySeconds} later (0xFFFFFFFF: never), and {@code delayedWill}, if not null,
     * is published after its delay unless the client comes back first.
     */
    record SessionSuspended(List<PendingDelivery> pending, Set<Integer> awaitingRelease, long timestampMillis,
                            long expirySeconds, Will delayedWill) implements SessionEvent {
    }

    /**
     * While the client is online: what it has not acknowledged yet, replacing the pending messages
     * (the messages journaled while it was slow to acknowledge, of which it may have acknowledged many
     * since), so that they do not pile up in the journal.
     */
    record PendingReplaced(List<PendingDelivery> pending) implements SessionEvent {
    }

    /**
     * A client connected through {@code node} (a cluster member's id: address and incarnation), which
     * routes the session's messages from now on, with its will (or null) and the session expiry it
     * asked for: what the session needs should that node be lost with the connection, which then
     * never detaches. {@code gateway} (that node's gateway, as Akka serializes an actor reference) and
     * {@code connectionId} (the connection's id there) let a session recovered elsewhere while the
     * connection lives accept its detach and close it on a takeover (format version 3; null and 0 in
     * older events: not known).
     */
    record Attached(String node, Will will, long expirySeconds, String gateway, long connectionId)
            implements SessionEvent {
    }

    /**
     * From now on {@code node} routes the session's messages while its client is offline: the node
     * that took the session over after the node routing for it left the cluster.
     */
    record RoutedBy(String node) implements SessionEvent {
    }

    /** The delayed will was published. */
    record WillPublished(long timestampMillis) implements SessionEvent {
    }

    /** The session ended (clean start, expiry, or a session expiry of 0 at disconnect): everything is discarded. */
    record SessionCleared(long timestampMillis) implements SessionEvent {
    }
}
