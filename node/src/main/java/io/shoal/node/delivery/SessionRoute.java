package io.shoal.node.delivery;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscriber;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

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

    private static final AtomicReferenceFieldUpdater<SessionRoute, RecentMessages> RECENT =
            AtomicReferenceFieldUpdater.newUpdater(SessionRoute.class, RecentMessages.class, "recent");

    private final String clientId;
    private final SubscriptionIndex<SessionRoute, Subscription> index;
    private final SharedSubscriptions shared;
    private final RemoteRoutes remote;
    private final BrokerMetrics metrics;
    private final StampedLock lock = new StampedLock();
    private volatile Subscriber target;
    private volatile Object owner;
    private Map<String, Subscription> subscriptions;
    private boolean retired;
    /** The owner's CONNECT is still waiting for its session. */
    private boolean claimPending;
    /**
     * While {@link #claimPending}: what the route goes back to should that CONNECT fail (see
     * {@link #unclaim}): the connection that held the session before, or the offline session (or
     * nothing). The subscriptions are those a clean start dropped.
     */
    private Object fallbackOwner;
    private Subscriber fallbackTarget;
    private List<Subscription> droppedByClaim;
    /** While the client may get messages twice (it came from another node): those it got. Usually null. */
    private volatile RecentMessages recent;

    SessionRoute(String clientId, SubscriptionIndex<SessionRoute, Subscription> index, SharedSubscriptions shared,
                 RemoteRoutes remote, BrokerMetrics metrics) {
        this.clientId = clientId;
        this.index = index;
        this.shared = shared;
        this.remote = remote;
        this.metrics = metrics;
    }

    public String clientId() {
        return clientId;
    }

    /**
     * Hands a message to the current target, which may expect a store on {@code receipt} (see
     * {@link Subscriber#enqueue}). Called on the publish path from any thread.
     */
    public void deliver(PendingDelivery delivery, StorageReceipt receipt) {
        if (recent != null && duplicate(delivery)) {
            return;
        }
        long stamp = lock.readLock();
        try {
            Subscriber current = target;
            if (current != null) {
                current.enqueue(delivery, receipt);
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * A message that the node the client has left passed on (through the client's session) while
     * the other nodes learn where the client is now. Until then a message can arrive both ways: it
     * is delivered once, whichever way comes first.
     */
    public void deliverHandedOver(PendingDelivery delivery, StorageReceipt receipt, Duration window) {
        expectHandover(window);
        deliver(delivery, receipt);
    }

    /**
     * The client came from another node, which passes its messages on for {@code window}: messages
     * arriving twice in that time are delivered once. Costs one identity per message in the window.
     */
    public void expectHandover(Duration window) {
        RecentMessages current = recent;
        if (current == null || current.over(System.nanoTime())) {
            RECENT.compareAndSet(this, current, new RecentMessages(window.toNanos()));
        }
    }

    private boolean duplicate(PendingDelivery delivery) {
        RecentMessages current = recent;
        if (current == null) {
            return false;
        }
        if (current.over(System.nanoTime())) {
            RECENT.compareAndSet(this, current, null);
            return false;
        }
        if (current.firstTime(delivery.publication().id())) {
            return false;
        }
        metrics.increment(Counter.DUPLICATES_SUPPRESSED);
        return true;
    }

    /** True while a connection holds the route (not an offline session). */
    public boolean online() {
        return owner != null;
    }

    /**
     * Adds or replaces a subscription (a plain or a shared one) if {@code caller} owns the route.
     * Returns the subscription it replaced, or null if it is new or {@code caller} is not the owner.
     */
    public Subscription subscribe(Object caller, Subscription subscription) {
        long stamp = lock.writeLock();
        try {
            if (caller != owner || retired) {
                return null;
            }
            return add(subscription);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Routes the subscriptions of an offline session to {@code offline} (its session), as they were
     * before the node restarted. Does nothing if a connection holds the session: its state is newer.
     * A connection whose CONNECT is still pending gets what they match meanwhile; should it fail, the
     * route goes to {@code offline} (see {@link #unclaim}), so the session is routed either way.
     */
    boolean restore(List<Subscription> restored, Subscriber offline) {
        long stamp = lock.writeLock();
        try {
            if (retired || owner != null && !claimPending) {
                return false;
            }
            if (owner == null) {
                target = offline;
            } else {
                fallbackOwner = null;
                fallbackTarget = offline;
                droppedByClaim = null;
            }
            restored.forEach(this::add);
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private Subscription add(Subscription subscription) {
        if (subscriptions == null) {
            subscriptions = new HashMap<>(4);
        }
        Subscription previous = subscriptions.put(subscription.key(), subscription);
        if (subscription.shared()) {
            shared.join(this, subscription);
        } else {
            index.put(subscription.filter(), this, subscription);
        }
        if (previous == null) {
            remote.added(subscription.key());
        }
        return previous;
    }

    /** Removes the subscription with this key (the filter as the client wrote it); true if it existed. */
    public boolean unsubscribe(Object caller, String key) {
        long stamp = lock.writeLock();
        try {
            Subscription removed = caller != owner || subscriptions == null ? null : subscriptions.remove(key);
            if (removed == null) {
                return false;
            }
            forget(removed);
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Drops every subscription if {@code caller} owns the route (the session turned out to be new). */
    public void clearSubscriptions(Object caller) {
        long stamp = lock.writeLock();
        try {
            if (caller == owner) {
                clearFilters();
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The subscriptions currently held (a copy). */
    public List<Subscription> subscriptions() {
        long stamp = lock.writeLock();
        try {
            return subscriptions == null ? List.of() : List.copyOf(subscriptions.values());
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
            if (!claimPending) {
                // A connection whose CONNECT is pending too never had the session: not a fallback.
                fallbackOwner = owner;
                fallbackTarget = target;
                droppedByClaim = null;
            }
            claimPending = true;
            owner = newOwner;
            target = newTarget;
            if (cleanStart && subscriptions != null) {
                if (droppedByClaim == null) {
                    droppedByClaim = List.copyOf(subscriptions.values());
                }
                clearFilters();
            }
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The owner got its session: what held the route before is not needed back. */
    public void claimed(Object caller) {
        long stamp = lock.writeLock();
        try {
            if (caller == owner) {
                forgetFallback();
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * The owner did not get its session (its CONNECT failed), so the route goes back to what held it
     * before: an offline session this node routes for, or a connection that still has the session.
     * {@code handBack} gets that (null if nothing did, or if another connection has claimed the
     * route since) before any later message can reach it, to take what reached the owner meanwhile.
     * Returns true if the route was retired.
     */
    boolean unclaim(Object caller, Consumer<Subscriber> handBack) {
        long stamp = lock.writeLock();
        try {
            if (caller != owner) {
                // Claimed since by another connection, which took over its fallback: what reached
                // this one is not delivered, and its publishers are told so.
                handBack.accept(null);
                return false;
            }
            owner = fallbackOwner;
            target = fallbackTarget;
            handBack.accept(target);
            if (owner == null && target == null) {
                clearFilters();
                retired = true;
            } else if (droppedByClaim != null) {
                droppedByClaim.forEach(this::add);
            }
            forgetFallback();
            return retired;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private void forgetFallback() {
        claimPending = false;
        fallbackOwner = null;
        fallbackTarget = null;
        droppedByClaim = null;
    }

    /**
     * Gives the route up if {@code caller} still owns it: to the offline subscriber, or, when there
     * is none, retires it with all its subscriptions. Returns true if the route was retired.
     */
    boolean release(Object caller, Subscriber offline) {
        long stamp = lock.writeLock();
        try {
            if (caller != owner) {
                if (claimPending && caller == fallbackOwner) {
                    // Gone while its successor's CONNECT is pending: should that fail, the route
                    // goes back to the offline session, not to this connection.
                    fallbackOwner = null;
                    fallbackTarget = offline;
                }
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
        if (subscriptions != null) {
            subscriptions.values().forEach(this::forget);
            subscriptions = null;
        }
    }

    private void forget(Subscription subscription) {
        if (subscription.shared()) {
            shared.leave(this, subscription);
        } else {
            index.remove(subscription.filter(), this);
        }
        remote.removed(subscription.key());
    }
}
