package io.shoal.node.delivery;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageRouterTest {

    private final SubscriptionIndex<SessionRoute, Subscription> index = new SubscriptionIndex<>();
    private final SharedSubscriptions shared = new SharedSubscriptions(ShareStrategy.ROUND_ROBIN, RemoteRoutes.NONE);
    private final SessionRoutes routes = new SessionRoutes(index, shared, RemoteRoutes.NONE, new BrokerMetrics());
    private final MessageRouter router = new MessageRouter(index, shared, new RetainedMessages(new BrokerMetrics(), RetainedStore.NONE), RemoteRoutes.NONE);

    /** A connected client: its route, and what reached it (with the receipt it came with). */
    private final class Client {
        final List<PendingDelivery> received = new ArrayList<>();
        final List<StorageReceipt> receipts = new ArrayList<>();
        final SessionRoute route;

        Client(String id) {
            route = routes.claim(id, this, (delivery, receipt) -> {
                received.add(delivery);
                receipts.add(receipt);
            }, true);
        }

        Client subscribe(Subscription subscription) {
            route.subscribe(this, subscription);
            return this;
        }
    }

    private static Publication publication(String topic, int qos, boolean retain, String publisher) {
        return new Publication(topic, "x".getBytes(StandardCharsets.UTF_8), qos, retain, MessageProperties.NONE,
                publisher);
    }

    private static Subscription options(String filter, int qos, boolean noLocal, boolean rap, int id) {
        return new Subscription(filter, qos, noLocal, rap, 0, id, null);
    }

    @Test
    void overlappingSubscriptionsDeliverOnceAtTheHighestQosWithEveryIdentifier() {
        Client c = new Client("c").subscribe(options("a/+", 0, false, false, 3))
                .subscribe(options("a/#", 2, false, false, 9)).subscribe(options("a/b", 1, false, false, 0));
        assertEquals(1, router.publish(publication("a/b", 2, false, "p")));
        assertEquals(1, c.received.size());
        PendingDelivery d = c.received.get(0);
        assertEquals(2, d.qos());
        assertEquals(List.of(3, 9), d.subscriptionIds().stream().sorted().toList());
    }

    @Test
    void everyMatchingClientAndShareGroupMemberGetsThePublishersReceipt() {
        Client plain = new Client("plain").subscribe(new Subscription("r/+", 1));
        Client overlapping = new Client("overlapping").subscribe(new Subscription("r/#", 1))
                .subscribe(new Subscription("r/x", 2));
        Client member = new Client("member").subscribe(new Subscription("r/x", 1, false, false, 0, 0, "g"));
        StorageReceipt receipt = new StorageReceipt(r -> { });

        assertEquals(3, router.publish(publication("r/x", 1, false, "p"), receipt));

        for (Client c : List.of(plain, overlapping, member)) {
            assertEquals(1, c.receipts.size());
            assertSame(receipt, c.receipts.get(0));
        }
    }

    @Test
    void deliveryQosIsTheLowerOfPublishedAndGranted() {
        Client c = new Client("c").subscribe(new Subscription("t", 2));
        router.publish(publication("t", 1, false, "p"));
        assertEquals(1, c.received.get(0).qos());
    }

    @Test
    void noLocalSkipsOnlyThePublishersOwnSubscription() {
        Client me = new Client("me").subscribe(options("chat", 1, true, false, 0));
        Client other = new Client("other").subscribe(options("chat", 1, true, false, 0));
        assertEquals(1, router.publish(publication("chat", 1, false, "me")));
        assertTrue(me.received.isEmpty());
        assertEquals(1, other.received.size());
    }

    @Test
    void noLocalOnOneOfSeveralMatchingSubscriptionsStillDeliversThroughTheOthers() {
        Client me = new Client("me").subscribe(options("chat/x", 1, true, false, 1))
                .subscribe(options("chat/+", 0, false, false, 2));
        router.publish(publication("chat/x", 1, false, "me"));
        assertEquals(1, me.received.size());
        assertEquals(List.of(2), me.received.get(0).subscriptionIds());
        assertEquals(0, me.received.get(0).qos(), "the excluded subscription's QoS does not count");
    }

    @Test
    void retainFlagIsKeptOnlyForRetainAsPublished() {
        Client rap = new Client("rap").subscribe(options("s", 1, false, true, 0));
        Client plain = new Client("plain").subscribe(options("s", 1, false, false, 0));
        router.publish(publication("s", 1, true, "p"));
        assertTrue(rap.received.get(0).retain());
        assertFalse(plain.received.get(0).retain());
        router.publish(publication("s", 1, false, "p"));
        assertFalse(rap.received.get(1).retain());
    }

    @Test
    void sharedGroupsGetOneCopyEachAlongsidePlainSubscribers() {
        Client a = new Client("a").subscribe(new Subscription("jobs/#", 1, false, false, 0, 0, "g"));
        Client b = new Client("b").subscribe(new Subscription("jobs/#", 1, false, false, 0, 0, "g"));
        Client plain = new Client("plain").subscribe(new Subscription("jobs/+", 1));
        for (int i = 0; i < 4; i++) {
            assertEquals(2, router.publish(publication("jobs/x", 1, false, "p")), "the plain subscriber and the group");
        }
        assertEquals(4, plain.received.size());
        assertEquals(2, a.received.size());
        assertEquals(2, b.received.size());
        assertEquals("g/jobs/#", a.received.get(0).shareGroup());
    }

    @Test
    void noMatchCountsZero() {
        new Client("c").subscribe(new Subscription("a", 1));
        assertEquals(0, router.publish(publication("b", 1, false, "p")));
    }
}
