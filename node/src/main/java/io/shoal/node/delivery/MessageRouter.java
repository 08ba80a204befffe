package io.shoal.node.delivery;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Publisher;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The publish data path of a node: store the retained message, match the topic in the subscription
 * index and hand the message to each matching client's route once, at the highest QoS of the
 * client's matching subscriptions [MQTT-3.3.5-1], with every matching subscription's identifier; and
 * to one member of every matching shared subscription. Runs on the publisher's thread; no actor
 * message, persistence or payload copy per online subscriber.
 */
public final class MessageRouter implements Publisher {

    private final SubscriptionIndex<SessionRoute, Subscription> subscriptions;
    private final SharedSubscriptions shared;
    private final RetainedMessages retained;
    private final RemoteRoutes remote;

    public MessageRouter(SubscriptionIndex<SessionRoute, Subscription> subscriptions, SharedSubscriptions shared,
                         RetainedMessages retained, RemoteRoutes remote) {
        this.subscriptions = subscriptions;
        this.shared = shared;
        this.retained = retained;
        this.remote = remote;
    }

    /**
     * A shared subscription goes to a member online here if there is one, else to a node with
     * members, else to an offline member's session here; counts each node forwarded to as one.
     */
    @Override
    public int publish(Publication publication, StorageReceipt receipt) {
        if (publication.retain()) {
            retained.store(publication, receipt);
        }
        int delivered = deliverToSubscribers(publication, receipt);
        GroupsTaken taken = new GroupsTaken();
        delivered += shared.publish(publication, receipt, taken, true);
        delivered += remote.forward(publication, taken, receipt);
        return delivered + shared.publish(publication, receipt, taken, false);
    }

    /**
     * A message another node forwarded: to this node's subscribers if {@code toSubscribers} (their
     * node had matching filters here), and to one member here of each of {@code groups}. Returns how
     * many of the groups had no member here any more (the message is not delivered to them).
     */
    public int deliverForwarded(Publication publication, boolean toSubscribers, List<String> groups,
                                StorageReceipt receipt) {
        if (toSubscribers) {
            deliverToSubscribers(publication, receipt);
        }
        int gone = 0;
        for (String group : groups) {
            if (!shared.publishToGroup(group, publication, receipt)) {
                gone++;
            }
        }
        return gone;
    }

    private int deliverToSubscribers(Publication publication, StorageReceipt receipt) {
        Matches matches = new Matches(publication, receipt);
        subscriptions.matchFilters(publication.topic(), matches);
        return matches.deliver();
    }

    /**
     * The subscriptions of each matching filter. A client can only appear twice when several filters
     * match, so the common case (one filter, however many subscribers) needs no merging.
     */
    private static final class Matches implements Consumer<Map<SessionRoute, Subscription>> {
        private final Publication publication;
        private final StorageReceipt receipt;
        private Map<SessionRoute, Subscription> first;
        private List<Map<SessionRoute, Subscription>> more;

        Matches(Publication publication, StorageReceipt receipt) {
            this.publication = publication;
            this.receipt = receipt;
        }

        @Override
        public void accept(Map<SessionRoute, Subscription> subscribers) {
            if (first == null) {
                first = subscribers;
            } else {
                if (more == null) {
                    more = new ArrayList<>(2);
                }
                more.add(subscribers);
            }
        }

        /** Returns how many clients got the message. */
        int deliver() {
            if (first == null) {
                return 0;
            }
            int[] delivered = {0};
            if (more == null) {
                first.forEach((route, s) -> {
                    if (!excluded(route, s)) {
                        route.deliver(PendingDelivery.queued(publication, publication.deliveryQos(s.qos()),
                                s.retainAsPublished() && publication.retain(), identifiers(s), null), receipt);
                        delivered[0]++;
                    }
                });
                return delivered[0];
            }
            Map<SessionRoute, Merged> merged = new IdentityHashMap<>();
            merge(first, merged);
            more.forEach(m -> merge(m, merged));
            merged.forEach((route, m) -> route.deliver(PendingDelivery.queued(publication,
                    publication.deliveryQos(m.qos), m.retain, m.identifiers, null), receipt));
            return merged.size();
        }

        private void merge(Map<SessionRoute, Subscription> subscribers, Map<SessionRoute, Merged> merged) {
            subscribers.forEach((route, s) -> {
                if (!excluded(route, s)) {
                    merged.computeIfAbsent(route, r -> new Merged()).add(s, publication);
                }
            });
        }

        /** No Local: a client's own messages do not come back through that subscription [MQTT-3.8.3-3]. */
        private boolean excluded(SessionRoute route, Subscription s) {
            return s.noLocal() && route.clientId().equals(publication.publisherId());
        }

        private static List<Integer> identifiers(Subscription s) {
            return s.identifier() > 0 ? List.of(s.identifier()) : List.of();
        }
    }

    /** Several subscriptions of one client matched: the highest QoS, every identifier, once. */
    private static final class Merged {
        int qos;
        boolean retain;
        List<Integer> identifiers = List.of();

        void add(Subscription s, Publication publication) {
            qos = Math.max(qos, s.qos());
            retain |= s.retainAsPublished() && publication.retain();
            if (s.identifier() > 0) {
                if (identifiers.isEmpty()) {
                    identifiers = new ArrayList<>(2);
                }
                identifiers.add(s.identifier());
            }
        }
    }
}
