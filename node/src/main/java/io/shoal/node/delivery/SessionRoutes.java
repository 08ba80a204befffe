package io.shoal.node.delivery;

import io.shoal.node.session.Subscriber;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.concurrent.ConcurrentHashMap;

/** The routes of the clients whose sessions this node serves, by client identifier. */
public final class SessionRoutes {

    private final ConcurrentHashMap<String, SessionRoute> routes = new ConcurrentHashMap<>();
    private final SubscriptionIndex<SessionRoute, Integer> index;

    public SessionRoutes(SubscriptionIndex<SessionRoute, Integer> index) {
        this.index = index;
    }

    /**
     * Makes {@code owner} the owner of the client's route and {@code target} the receiver of its
     * messages from now on. With {@code cleanStart} the previous subscriptions are dropped.
     */
    public SessionRoute claim(String clientId, Object owner, Subscriber target, boolean cleanStart) {
        while (true) {
            SessionRoute route = routes.computeIfAbsent(clientId, id -> new SessionRoute(id, index));
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

    public SessionRoute get(String clientId) {
        return routes.get(clientId);
    }

    public int size() {
        return routes.size();
    }
}
