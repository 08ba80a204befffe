package io.shoal.node.delivery;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedSubscriptionsTest {

    private SharedSubscriptions shared;
    private SessionRoutes routes;

    private void strategy(ShareStrategy strategy) {
        shared = new SharedSubscriptions(strategy, RemoteRoutes.NONE);
        routes = new SessionRoutes(new SubscriptionIndex<>(), shared, RemoteRoutes.NONE, new BrokerMetrics());
    }

    private final class Member {
        final List<PendingDelivery> received = new ArrayList<>();
        final SessionRoute route;

        Member(String id, String group, String filter, int qos) {
            route = routes.claim(id, this, (delivery, receipt) -> received.add(delivery), true);
            route.subscribe(this, new Subscription(filter, qos, false, false, 0, 0, group));
        }

        void goOffline() {
            routes.release(route, this, (delivery, receipt) -> received.add(delivery));
        }
    }

    private static Publication message(String topic, int qos, String publisher) {
        return new Publication(topic, new byte[]{1}, qos, false, MessageProperties.NONE, publisher);
    }

    @Test
    void roundRobinTakesMembersInTurnAndEachGroupGetsOneCopy() {
        strategy(ShareStrategy.ROUND_ROBIN);
        Member a = new Member("a", "g", "t/#", 1);
        Member b = new Member("b", "g", "t/#", 1);
        Member c = new Member("c", "other", "t/+", 0);
        for (int i = 0; i < 6; i++) {
            assertEquals(2, publish(message("t/x", 1, "p")));
        }
        assertEquals(3, a.received.size());
        assertEquals(3, b.received.size());
        assertEquals(6, c.received.size());
        assertEquals(0, c.received.get(0).qos(), "the member's granted QoS applies");
    }

    @Test
    void stickyKeepsTheSameMember() {
        strategy(ShareStrategy.STICKY);
        Member a = new Member("a", "g", "t", 1);
        Member b = new Member("b", "g", "t", 1);
        for (int i = 0; i < 5; i++) {
            publish(message("t", 1, "p"));
        }
        assertTrue(a.received.size() == 5 ^ b.received.size() == 5);
    }

    @Test
    void hashByTopicSendsATopicToOneMember() {
        strategy(ShareStrategy.HASH_TOPIC);
        Member a = new Member("a", "g", "t/+", 1);
        Member b = new Member("b", "g", "t/+", 1);
        for (int i = 0; i < 20; i++) {
            publish(message("t/" + (i % 4), 1, "p"));
        }
        for (int t = 0; t < 4; t++) {
            String topic = "t/" + t;
            long toA = a.received.stream().filter(d -> d.publication().topic().equals(topic)).count();
            long toB = b.received.stream().filter(d -> d.publication().topic().equals(topic)).count();
            assertTrue(toA == 0 || toB == 0, topic + " went to both members");
            assertEquals(5, toA + toB);
        }
    }

    @Test
    void hashByClientIdSendsAPublishersMessagesToOneMember() {
        strategy(ShareStrategy.HASH_CLIENT_ID);
        Member a = new Member("a", "g", "t", 1);
        Member b = new Member("b", "g", "t", 1);
        for (int i = 0; i < 20; i++) {
            publish(message("t", 1, "publisher-" + (i % 5)));
        }
        for (int p = 0; p < 5; p++) {
            String publisher = "publisher-" + p;
            long toA = a.received.stream().filter(d -> publisher.equals(d.publication().publisherId())).count();
            long toB = b.received.stream().filter(d -> publisher.equals(d.publication().publisherId())).count();
            assertTrue(toA == 0 || toB == 0, publisher + " went to both members");
        }
    }

    @Test
    void onlineMembersArePreferredOverOfflineSessions() {
        strategy(ShareStrategy.ROUND_ROBIN);
        Member offline = new Member("a", "g", "t", 1);
        Member online = new Member("b", "g", "t", 1);
        offline.goOffline();
        for (int i = 0; i < 4; i++) {
            publish(message("t", 1, "p"));
        }
        assertEquals(0, offline.received.size());
        assertEquals(4, online.received.size());
    }

    @Test
    void aGroupOfOfflineSessionsStillGetsTheMessage() {
        strategy(ShareStrategy.ROUND_ROBIN);
        Member offline = new Member("a", "g", "t", 1);
        offline.goOffline();
        assertEquals(1, publish(message("t", 1, "p")));
        assertEquals(1, offline.received.size());
    }

    @Test
    void redeliveryGoesToAnotherMemberOnly() {
        strategy(ShareStrategy.ROUND_ROBIN);
        Member leaving = new Member("a", "g", "t", 1);
        Member staying = new Member("b", "g", "t", 1);
        PendingDelivery held = PendingDelivery.queued(message("t", 1, "p"), 1, false, List.of(), "g/t");
        assertTrue(shared.redeliver(held, leaving.route, null));
        assertEquals(List.of(held.publication()), staying.received.stream().map(PendingDelivery::publication).toList());
        assertTrue(leaving.received.isEmpty());
    }

    @Test
    void redeliveryFailsWhenNoOtherMemberIsLeft() {
        strategy(ShareStrategy.ROUND_ROBIN);
        Member alone = new Member("a", "g", "t", 1);
        PendingDelivery held = PendingDelivery.queued(message("t", 1, "p"), 1, false, List.of(), "g/t");
        assertFalse(shared.redeliver(held, alone.route, null));
    }

    @Test
    void aGroupWithoutMembersIsForgotten() {
        strategy(ShareStrategy.ROUND_ROBIN);
        Member a = new Member("a", "g", "t", 1);
        assertTrue(a.route.unsubscribe(a, "$share/g/t"));
        assertEquals(0, publish(message("t", 1, "p")));
        new Member("b", "g", "t", 1);
        assertEquals(1, publish(message("t", 1, "p")), "a new member starts the group again");
    }

    /** A message published on this node alone: to a member online if there is one, else to an offline one. */
    private int publish(Publication publication) {
        return shared.publish(publication, null, new GroupsTaken(), false);
    }
}
