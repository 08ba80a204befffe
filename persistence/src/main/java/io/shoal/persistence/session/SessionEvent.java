package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Subscription;
import io.shoal.persistence.CborSerializable;

import java.util.List;
import java.util.Set;

/**
 * What the journal of a persistent session records. These are a storage format: a field is never
 * removed or re-typed without a Jackson migration (see docs/persistence.md).
 */
public sealed interface SessionEvent extends CborSerializable {

    /** A persistent session came into being (clean session 0 on a client id with no session). */
    record SessionOpened(long timestampMillis) implements SessionEvent {
    }

    /** Subscriptions added or replaced. */
    record Subscribed(List<Subscription> subscriptions) implements SessionEvent {
    }

    /** Subscriptions removed. */
    record Unsubscribed(List<String> filters) implements SessionEvent {
    }

    /** A message queued while the client was offline. */
    record MessageQueued(PendingDelivery delivery) implements SessionEvent {
    }

    /**
     * The client disconnected: what was not yet acknowledged replaces the pending messages, and the
     * inbound QoS 2 packet ids still awaiting PUBREL are remembered.
     */
    record SessionSuspended(List<PendingDelivery> pending, Set<Integer> awaitingRelease) implements SessionEvent {
    }

    /** A clean session started on this client id: everything before is discarded. */
    record SessionCleared(long timestampMillis) implements SessionEvent {
    }
}
