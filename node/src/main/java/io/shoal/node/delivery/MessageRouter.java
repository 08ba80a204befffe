package io.shoal.node.delivery;

import io.shoal.node.session.Publication;
import io.shoal.node.session.Publisher;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The publish data path of a node: store the retained message, match the topic in the subscription
 * index and hand the message to each matching client's route once, at the highest QoS of the
 * client's matching subscriptions [MQTT-3.3.5-1]. Runs on the publisher's thread; no actor message,
 * persistence or payload copy per online subscriber.
 */
public final class MessageRouter implements Publisher {

    private final SubscriptionIndex<SessionRoute, Integer> subscriptions;
    private final RetainedMessages retained;

    public MessageRouter(SubscriptionIndex<SessionRoute, Integer> subscriptions, RetainedMessages retained) {
        this.subscriptions = subscriptions;
        this.retained = retained;
    }

    @Override
    public void publish(Publication publication) {
        if (publication.retain()) {
            retained.store(publication);
        }
        Matches matches = new Matches();
        subscriptions.match(publication.topic(), matches);
        matches.deliver(publication);
    }

    /** Collects matches; most topics match one subscription per client, so merging is lazy. */
    private static final class Matches implements BiConsumer<SessionRoute, Integer> {
        private SessionRoute firstRoute;
        private int firstQos;
        private Map<SessionRoute, Integer> merged;

        @Override
        public void accept(SessionRoute route, Integer qos) {
            if (firstRoute == null) {
                firstRoute = route;
                firstQos = qos;
                return;
            }
            if (merged == null) {
                merged = new IdentityHashMap<>();
                merged.put(firstRoute, firstQos);
            }
            merged.merge(route, qos, Math::max);
        }

        void deliver(Publication publication) {
            if (merged != null) {
                merged.forEach((route, qos) -> route.deliver(publication, publication.deliveryQos(qos)));
            } else if (firstRoute != null) {
                firstRoute.deliver(publication, publication.deliveryQos(firstQos));
            }
        }
    }
}
