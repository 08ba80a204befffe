package io.shoal.node.delivery;

import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscriber;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;

/**
 * The node-local delivery point of one client: what the subscription index points to. It outlives
 * connections, so a persistent session keeps its index entries while its client is offline or
 * reconnecting, and only the target changes (the live connection, or the session while offline).
 *
 * <p>Deliveries share the route's lock and retargeting takes it exclusively, so every message is
 * enqueued either before or after a switch of target, never lost in between; this is what keeps
 * per-publisher order across disconnects and takeovers. Publishers on many event loops delivering
 * to one client (fan-in) do not exclude each other. Only the current owner (the connection that
 * claimed the route last) may change its subscriptions, so a connection being taken over cannot
 * touch its successor's session.
 */
public final class SessionRoute {

    private final String clientId;
    private final SubscriptionIndex<SessionRoute, Integer> index;
    private final StampedLock lock = new StampedLock();
    private volatile Subscriber target;
    private Object owner;
    private Map<String, Integer> filters;
    private boolean retired;

    SessionRoute(String clientId, SubscriptionIndex<SessionRoute, Integer> index) {
        this.clientId = clientId;
        this.index = index;
    }

    public String clientId() {
        return clientId;
    }

    /** Hands a message to the current target. Called on the publish path from any thread. */
    public void deliver(Publication publication, int qos) {
        long stamp = lock.readLock();
        try {
            Subscriber current = target;
            if (current != null) {
                current.enqueue(publication, qos);
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Adds or replaces a subscription if {@code caller} owns the route; false if it does not. */
    public boolean subscribe(Object caller, String filter, int qos) {
        long stamp = lock.writeLock();
        try {
            if (caller != owner || retired) {
                return false;
            }
            if (filters == null) {
                filters = new HashMap<>(4);
            }
            filters.put(filter, qos);
            index.put(filter, this, qos);
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Removes a subscription if {@code caller} owns the route; true if it existed. */
    public boolean unsubscribe(Object caller, String filter) {
        long stamp = lock.writeLock();
        try {
            if (caller != owner || filters == null || filters.remove(filter) == null) {
                return false;
            }
            index.remove(filter, this);
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The filters currently subscribed (a copy). */
    public List<String> filters() {
        long stamp = lock.writeLock();
        try {
            return filters == null ? List.of() : List.copyOf(filters.keySet());
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    boolean claim(Object newOwner, Subscriber newTarget, boolean cleanStart) {
        long stamp = lock.writeLock();
        try {
            if (retired) {
                return false;
            }
            owner = newOwner;
            target = newTarget;
            if (cleanStart) {
                clearFilters();
            }
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Gives the route up if {@code caller} still owns it: to the offline subscriber, or, when there
     * is none, retires it with all its subscriptions. Returns true if the route was retired.
     */
    boolean release(Object caller, Subscriber offline) {
        long stamp = lock.writeLock();
        try {
            if (caller != owner) {
                return false;
            }
            owner = null;
            target = offline;
            if (offline == null) {
                clearFilters();
                retired = true;
            }
            return retired;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private void clearFilters() {
        if (filters != null) {
            filters.keySet().forEach(f -> index.remove(f, this));
            filters = null;
        }
    }
}
