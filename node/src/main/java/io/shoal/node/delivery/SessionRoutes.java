package io.shoal.node.delivery;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.session.Subscriber;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The routes of the clients whose sessions this node serves, by client identifier. */
public final class SessionRoutes {

    private final ConcurrentHashMap<String, SessionRoute> routes = new ConcurrentHashMap<>();
    private final SubscriptionIndex<SessionRoute, Subscription> index;
    private final SharedSubscriptions shared;
    private final RemoteRoutes remote;
    private final BrokerMetrics metrics;

    /** @param remote told of each client's subscriptions, for the cluster's routing table */
    public SessionRoutes(SubscriptionIndex<SessionRoute, Subscription> index, SharedSubscriptions shared,
                         RemoteRoutes remote, BrokerMetrics metrics) {
        this.index = index;
        this.shared = shared;
        this.remote = remote;
        this.metrics = metrics;
    }

    /**
     * Makes {@code owner} the owner of the client's route and {@code target} the receiver of its
     * messages from now on. With {@code cleanStart} the previous subscriptions are dropped.
     */
    public SessionRoute claim(String clientId, Object owner, Subscriber target, boolean cleanStart) {
        while (true) {
            SessionRoute route = routes.computeIfAbsent(clientId, id -> new SessionRoute(id, index, shared, remote, metrics));
            if (route.claim(owner, target, cleanStart)) {
                return route;
            }
            // Retired by its previous owner between lookup and claim: it is (being) removed; retry.
            routes.remove(clientId, route);
        }
    }

    /** See {@link SessionRoute#release}; a retired route is forgotten. */
    public void release(SessionRoute route, Object owner, Subscriber offline) {
        if (route.release(owner, offline)) {
            routes.remove(route.clientId(), route);
        }
    }

    /** See {@link SessionRoute#unclaim}; a retired route is forgotten. */
    public void unclaim(SessionRoute route, Object owner, Consumer<Subscriber> handBack) {
        if (route.unclaim(owner, handBack)) {
            routes.remove(route.clientId(), route);
        }
    }

    /**
     * Routes an offline session's subscriptions to the session itself, as at a node start before
     * clients connect. False if a connection holds the client's route already.
     */
    public boolean restoreOffline(String clientId, List<Subscription> subscriptions, Subscriber session) {
        SessionRoute route = routes.computeIfAbsent(clientId, id -> new SessionRoute(id, index, shared, remote, metrics));
        return route.restore(subscriptions, session);
    }

    public SessionRoute get(String clientId) {
        return routes.get(clientId);
    }

    /**
     * The session of {@code clientId} has ended while no connection held it (expiry, or cleared
     * from elsewhere): its route and subscriptions go.
     */
    public void retire(String clientId) {
        SessionRoute route = routes.get(clientId);
        if (route != null && route.release(null, null)) {
            routes.remove(clientId, route);
        }
    }

    public int size() {
        return routes.size();
    }
}
