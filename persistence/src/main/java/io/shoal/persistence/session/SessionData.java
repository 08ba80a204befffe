package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscription;

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

    private boolean exists;
    private final LinkedHashMap<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<PendingDelivery> pending = new ArrayDeque<>();
    private final Set<Integer> awaitingRelease = new HashSet<>();

    public static SessionData fromSnapshot(SessionSnapshot snapshot) {
        SessionData data = new SessionData();
        data.exists = snapshot.exists();
        snapshot.subscriptions().forEach(s -> data.subscriptions.put(s.filter(), s));
        data.pending.addAll(snapshot.pending());
        data.awaitingRelease.addAll(snapshot.awaitingRelease());
        return data;
    }

    public SessionData apply(SessionEvent event) {
        if (event instanceof SessionEvent.SessionOpened) {
            exists = true;
        } else if (event instanceof SessionEvent.Subscribed subscribed) {
            subscribed.subscriptions().forEach(s -> subscriptions.put(s.filter(), s));
        } else if (event instanceof SessionEvent.Unsubscribed unsubscribed) {
            unsubscribed.filters().forEach(subscriptions::remove);
        } else if (event instanceof SessionEvent.MessageQueued queued) {
            pending.add(queued.delivery());
        } else if (event instanceof SessionEvent.SessionSuspended suspended) {
            pending.clear();
            pending.addAll(suspended.pending());
            awaitingRelease.clear();
            awaitingRelease.addAll(suspended.awaitingRelease());
        } else if (event instanceof SessionEvent.SessionCleared) {
            exists = false;
            subscriptions.clear();
            pending.clear();
            awaitingRelease.clear();
        }
        return this;
    }

    /** Whether a persistent session exists (the CONNACK session present flag on resume). */
    public boolean exists() {
        return exists;
    }

    public int pendingCount() {
        return pending.size();
    }

    /** A copy to hand to a connection that resumes the session. */
    public SessionState toState() {
        return new SessionState(List.copyOf(subscriptions.values()), List.copyOf(pending), Set.copyOf(awaitingRelease));
    }

    public SessionSnapshot toSnapshot() {
        return new SessionSnapshot(exists, List.copyOf(subscriptions.values()), List.copyOf(pending),
                Set.copyOf(awaitingRelease));
    }
}
