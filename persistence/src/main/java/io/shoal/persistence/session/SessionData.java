package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The state of a persistent session as rebuilt from its journal. Mutable, so that a session with a
 * long offline queue applies each event in constant time; it leaves its owner only as a copy
 * ({@link #toState()}, {@link #toSnapshot()}).
 */
public final class SessionData {

    /** Session Expiry Interval 0xFFFFFFFF: the session does not expire. */
    private static final long NEVER_EXPIRES = 0xFFFFFFFFL;

    private boolean exists;
    private final LinkedHashMap<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<PendingDelivery> pending = new ArrayDeque<>();
    private final Set<Integer> awaitingRelease = new HashSet<>();
    private long expiresAtMillis = Long.MAX_VALUE;
    private Will delayedWill;
    private long willAtMillis;
    private String routedBy;
    private Will attachedWill;
    private Long attachedExpirySeconds;
    private String attachedGateway;
    private long attachedConnectionId;

    public static SessionData fromSnapshot(SessionSnapshot snapshot) {
        SessionData data = new SessionData();
        data.exists = snapshot.exists();
        snapshot.subscriptions().forEach(s -> data.subscriptions.put(s.key(), s));
        data.pending.addAll(snapshot.pending());
        data.awaitingRelease.addAll(snapshot.awaitingRelease());
        data.expiresAtMillis = snapshot.expiresAtMillis();
        data.delayedWill = snapshot.delayedWill();
        data.willAtMillis = snapshot.willAtMillis();
        data.routedBy = snapshot.routedBy();
        data.attachedWill = snapshot.attachedWill();
        data.attachedExpirySeconds = snapshot.attachedExpirySeconds();
        data.attachedGateway = snapshot.attachedGateway();
        data.attachedConnectionId = snapshot.attachedConnectionId();
        return data;
    }

    public SessionData apply(SessionEvent event) {
        if (event instanceof SessionEvent.SessionOpened) {
            exists = true;
        } else if (event instanceof SessionEvent.SessionResumed) {
            expiresAtMillis = Long.MAX_VALUE;
            delayedWill = null;
        } else if (event instanceof SessionEvent.Subscribed subscribed) {
            subscribed.subscriptions().forEach(s -> subscriptions.put(s.key(), s));
        } else if (event instanceof SessionEvent.Unsubscribed unsubscribed) {
            unsubscribed.filters().forEach(subscriptions::remove);
        } else if (event instanceof SessionEvent.MessageQueued queued) {
            pending.add(queued.delivery());
        } else if (event instanceof SessionEvent.Attached attached) {
            routedBy = attached.node();
            attachedWill = attached.will();
            attachedExpirySeconds = attached.expirySeconds();
            attachedGateway = attached.gateway();
            attachedConnectionId = attached.connectionId();
        } else if (event instanceof SessionEvent.RoutedBy routed) {
            routedBy = routed.node();
        } else if (event instanceof SessionEvent.PendingReplaced replaced) {
            pending.clear();
            pending.addAll(replaced.pending());
        } else if (event instanceof SessionEvent.SessionSuspended suspended) {
            suspend(suspended);
        } else if (event instanceof SessionEvent.WillPublished) {
            delayedWill = null;
        } else if (event instanceof SessionEvent.SessionCleared) {
            exists = false;
            subscriptions.clear();
            pending.clear();
            awaitingRelease.clear();
            expiresAtMillis = Long.MAX_VALUE;
            delayedWill = null;
            routedBy = null;
            detached();
        }
        return this;
    }

    private void detached() {
        attachedWill = null;
        attachedExpirySeconds = null;
        attachedGateway = null;
        attachedConnectionId = 0;
    }

    private void suspend(SessionEvent.SessionSuspended suspended) {
        detached();
        pending.clear();
        pending.addAll(suspended.pending());
        awaitingRelease.clear();
        awaitingRelease.addAll(suspended.awaitingRelease());
        long expiry = suspended.expirySeconds();
        expiresAtMillis = expiry >= NEVER_EXPIRES ? Long.MAX_VALUE : suspended.timestampMillis() + expiry * 1000;
        delayedWill = suspended.delayedWill();
        if (delayedWill != null) {
            // Published after its delay, or when the session ends if that comes first.
            willAtMillis = Math.min(expiresAtMillis, suspended.timestampMillis() + delayedWill.delaySeconds() * 1000);
        }
    }

    /** Whether a persistent session exists (the CONNACK session present flag on resume). */
    public boolean exists() {
        return exists;
    }

    public int pendingCount() {
        return pending.size();
    }

    /** When the offline session ends (epoch millis), {@link Long#MAX_VALUE} if never or while online. */
    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    public boolean expired(long nowMillis) {
        return exists && nowMillis >= expiresAtMillis;
    }

    /** The will waiting for its delay to pass, or null. */
    public Will delayedWill() {
        return delayedWill;
    }

    /** When {@link #delayedWill()} is due (epoch millis). */
    public long willAtMillis() {
        return willAtMillis;
    }

    /** The node that routes the session's messages while it is offline (see {@link SessionEvent.RoutedBy}), or null. */
    public String routedBy() {
        return routedBy;
    }

    /**
     * The session expiry asked for by the connection that the journal last saw attach and never
     * detach, or null if none is attached; with {@link #attachedWill()}, what to do should that
     * connection be lost with its node.
     */
    public Long attachedExpirySeconds() {
        return attachedExpirySeconds;
    }

    public Will attachedWill() {
        return attachedWill;
    }

    /** The gateway of the attached connection's node (see {@link SessionEvent.Attached}), or null if not known. */
    public String attachedGateway() {
        return attachedGateway;
    }

    /** The attached connection's id on its node; 0 if not known. */
    public long attachedConnectionId() {
        return attachedConnectionId;
    }

    /** A copy to hand to a connection that resumes the session. */
    public SessionState toState() {
        return new SessionState(List.copyOf(subscriptions.values()), List.copyOf(pending), Set.copyOf(awaitingRelease));
    }

    public SessionSnapshot toSnapshot() {
        return new SessionSnapshot(exists, List.copyOf(subscriptions.values()), List.copyOf(pending),
                Set.copyOf(awaitingRelease), expiresAtMillis, delayedWill, willAtMillis, routedBy, attachedWill,
                attachedExpirySeconds, attachedGateway, attachedConnectionId);
    }
}
