package io.shoal.node.delivery;

import io.shoal.node.session.Publication;
import io.shoal.node.session.Publisher;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
        subscriptions.matchFilters(publication.topic(), matches);
        matches.deliver(publication);
    }

    /**
     * The subscribers of each matching filter. A client can only appear twice when several filters
     * match, so the common case (one filter, however many subscribers) needs no merging.
     */
    private static final class Matches implements Consumer<Map<SessionRoute, Integer>> {
        private Map<SessionRoute, Integer> first;
        private List<Map<SessionRoute, Integer>> more;

        @Override
        public void accept(Map<SessionRoute, Integer> subscribers) {
            if (first == null) {
                first = subscribers;
            } else {
                if (more == null) {
                    more = new ArrayList<>(2);
                }
                more.add(subscribers);
            }
        }

        void deliver(Publication publication) {
            if (first == null) {
                return;
            }
            if (more == null) {
                first.forEach((route, qos) -> route.deliver(publication, publication.deliveryQos(qos)));
                return;
            }
            Map<SessionRoute, Integer> merged = new IdentityHashMap<>(first);
            for (Map<SessionRoute, Integer> subscribers : more) {
                subscribers.forEach((route, qos) -> merged.merge(route, qos, Math::max));
            }
            merged.forEach((route, qos) -> route.deliver(publication, publication.deliveryQos(qos)));
        }
    }
}
