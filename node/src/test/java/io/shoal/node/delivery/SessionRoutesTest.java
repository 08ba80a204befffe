package io.shoal.node.delivery;

import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restoring offline sessions' routes at a node start, and how they meet connections. */
class SessionRoutesTest {

    private final SubscriptionIndex<SessionRoute, Subscription> index = new SubscriptionIndex<>();
    private final SharedSubscriptions shared = new SharedSubscriptions(ShareStrategy.ROUND_ROBIN, RemoteRoutes.NONE);
    private final SessionRoutes routes = new SessionRoutes(index, shared, RemoteRoutes.NONE, new BrokerMetrics());
    private final MessageRouter router = new MessageRouter(index, shared, new RetainedMessages(new BrokerMetrics(), RetainedStore.NONE), RemoteRoutes.NONE);
    private final List<PendingDelivery> toSession = new ArrayList<>();
    private final List<PendingDelivery> toConnection = new ArrayList<>();

    private static Publication message(String topic) {
        return new Publication(topic, "x".getBytes(StandardCharsets.UTF_8), 1, false);
    }

    @Test
    void restoredRouteDeliversMatchingMessagesToTheOfflineSessionIncludingSharedOnes() {
        assertTrue(routes.restoreOffline("meter-1", List.of(new Subscription("meters/+/reading", 1),
                new Subscription("invoices", 1, false, false, 0, 0, "billing")), (d, receipt) -> toSession.add(d)));

        assertEquals(1, router.publish(message("meters/7/reading")));
        assertEquals(1, router.publish(message("invoices")));
        assertEquals(0, router.publish(message("other")));

        assertEquals(List.of("meters/7/reading", "invoices"),
                toSession.stream().map(d -> d.publication().topic()).toList());
    }

    @Test
    void aClientThatCameFromAnotherNodeGetsAMessageOnceWhenItArrivesBothWays() {
        BrokerMetrics metrics = new BrokerMetrics();
        SessionRoutes counted = new SessionRoutes(index, shared, RemoteRoutes.NONE, metrics);
        Object connection = new Object();
        SessionRoute route = counted.claim("mover", connection, (d, receipt) -> toConnection.add(d), false);
        PendingDelivery first = PendingDelivery.queued(message("t").withId(1), 1, false);
        PendingDelivery second = PendingDelivery.queued(message("t").withId(2), 1, false);
        PendingDelivery anonymous = PendingDelivery.queued(message("t"), 1, false);

        route.deliver(first, null); // before any handover: nothing is remembered
        route.deliverHandedOver(first, null, Duration.ofMinutes(1)); // passed on by the node it left
        route.deliver(first, null); // and directly: the same message again
        route.deliver(second, null);
        route.deliverHandedOver(second, null, Duration.ofMinutes(1));
        route.deliver(anonymous, null);
        route.deliverHandedOver(anonymous, null, Duration.ofMinutes(1));

        assertEquals(List.of(first, first, second, anonymous, anonymous), toConnection);
        assertEquals(2, metrics.get(Counter.DUPLICATES_SUPPRESSED));
    }

    @Test
    void duplicatesAreOnlyLookedForDuringTheHandover() {
        Object connection = new Object();
        SessionRoute route = routes.claim("mover", connection, (d, receipt) -> toConnection.add(d), false);
        PendingDelivery message = PendingDelivery.queued(message("t").withId(7), 1, false);

        route.deliverHandedOver(message, null, Duration.ZERO);
        route.deliver(message, null);

        assertEquals(2, toConnection.size(), "the window was over");
    }

    @Test
    void aConnectionThatClaimedTheRouteFirstKeepsIt() {
        Object connection = new Object();
        SessionRoute route = routes.claim("meter-1", connection, (d, receipt) -> toConnection.add(d), false);
        route.claimed(connection);
        route.subscribe(connection, new Subscription("meters/#", 1));

        assertFalse(routes.restoreOffline("meter-1", List.of(new Subscription("old/#", 1)), (d, receipt) -> toSession.add(d)));

        assertEquals(1, router.publish(message("meters/1")));
        assertEquals(0, router.publish(message("old/1")), "the connection's session state is newer");
        assertEquals(1, toConnection.size());
        assertTrue(toSession.isEmpty());
    }

    @Test
    void aClientResumingARestoredSessionTakesItsRouteOver() {
        routes.restoreOffline("meter-1", List.of(new Subscription("meters/#", 1)), (d, receipt) -> toSession.add(d));
        router.publish(message("meters/1"));

        routes.claim("meter-1", new Object(), (d, receipt) -> toConnection.add(d), false);
        router.publish(message("meters/2"));

        assertEquals(1, toSession.size());
        assertEquals("meters/2", toConnection.get(0).publication().topic());
    }

    // A connection whose CONNECT failed (its session was unavailable) gives the route back.

    @Test
    void aFailedConnectGivesTheRouteBackToTheOfflineSessionWithWhatReachedItsConnectionMeanwhile() {
        routes.restoreOffline("meter-1", List.of(new Subscription("meters/#", 1)), (d, receipt) -> toSession.add(d));
        Object connection = new Object();
        SessionRoute route = routes.claim("meter-1", connection, (d, receipt) -> toConnection.add(d), false);
        router.publish(message("meters/1"));

        routes.unclaim(route, connection, previous -> toConnection.forEach(d -> previous.enqueue(d, null)));
        router.publish(message("meters/2"));

        assertEquals(List.of("meters/1", "meters/2"), toSession.stream().map(d -> d.publication().topic()).toList());
    }

    @Test
    void aFailedCleanStartGivesBackTheSubscriptionsItDropped() {
        routes.restoreOffline("meter-1", List.of(new Subscription("meters/#", 1)), (d, receipt) -> toSession.add(d));
        Object connection = new Object();
        SessionRoute route = routes.claim("meter-1", connection, (d, receipt) -> toConnection.add(d), true);
        assertEquals(0, router.publish(message("meters/1")), "dropped at the claim");

        routes.unclaim(route, connection, previous -> { });

        assertEquals(1, router.publish(message("meters/2")));
        assertEquals(List.of("meters/2"), toSession.stream().map(d -> d.publication().topic()).toList());
    }

    @Test
    void aConnectionKeepsItsRouteWhenItsSuccessorsConnectFails() {
        Object current = new Object();
        SessionRoute route = routes.claim("meter-1", current, (d, receipt) -> toConnection.add(d), false);
        route.claimed(current);
        route.subscribe(current, new Subscription("meters/#", 1));
        Object successor = new Object();
        routes.claim("meter-1", successor, (d, receipt) -> toSession.add(d), false);

        routes.unclaim(route, successor, previous -> { });
        router.publish(message("meters/1"));

        assertEquals(1, toConnection.size());
        route.subscribe(current, new Subscription("meters/2", 1));
        assertEquals(2, route.subscriptions().size(), "the current connection owns the route again");
    }

    @Test
    void aConnectionThatLeftWhileItsSuccessorsConnectWasPendingLeavesTheRouteToItsOfflineSession() {
        Object current = new Object();
        SessionRoute route = routes.claim("meter-1", current, (d, receipt) -> toConnection.add(d), false);
        route.claimed(current);
        route.subscribe(current, new Subscription("meters/#", 1));
        Object successor = new Object();
        routes.claim("meter-1", successor, (d, receipt) -> { }, false);
        routes.release(route, current, (d, receipt) -> toSession.add(d)); // closed by the takeover

        routes.unclaim(route, successor, previous -> { });
        router.publish(message("meters/1"));

        assertEquals(List.of("meters/1"), toSession.stream().map(d -> d.publication().topic()).toList());
        assertTrue(toConnection.isEmpty());
        assertFalse(route.online());
    }

    /** A sweep took the session over here while its client's CONNECT waited here: it is routed either way. */
    @Test
    void aSessionTakenOverWhileItsClientsConnectIsPendingHereStaysRoutedWhenThatConnectFails() {
        Object connection = new Object();
        SessionRoute route = routes.claim("meter-1", connection, (d, receipt) -> toConnection.add(d), false);

        assertTrue(routes.restoreOffline("meter-1", List.of(new Subscription("meters/#", 1)), (d, receipt) -> toSession.add(d)));
        router.publish(message("meters/1"));
        routes.unclaim(route, connection, previous -> toConnection.forEach(d -> previous.enqueue(d, null)));
        router.publish(message("meters/2"));

        assertEquals(List.of("meters/1", "meters/2"), toSession.stream().map(d -> d.publication().topic()).toList());
    }

    @Test
    void aConnectionGivingUpAfterAnotherOneClaimedTheRouteLeavesItsFallbackToThatOne() {
        routes.restoreOffline("meter-1", List.of(new Subscription("meters/#", 1)), (d, receipt) -> toSession.add(d));
        Object first = new Object();
        Object second = new Object();
        SessionRoute route = routes.claim("meter-1", first, (d, receipt) -> toConnection.add(d), false);
        routes.claim("meter-1", second, (d, receipt) -> toConnection.add(d), false);
        List<Object> firstHandedBackTo = new ArrayList<>();

        routes.unclaim(route, first, firstHandedBackTo::add);
        routes.unclaim(route, second, previous -> { });
        router.publish(message("meters/1"));

        assertEquals(Collections.singletonList(null), firstHandedBackTo, "superseded: nothing to hand back to");
        assertEquals(List.of("meters/1"), toSession.stream().map(d -> d.publication().topic()).toList(),
                "routed to the offline session again, not to the first connection");
    }

    @Test
    void aFailedConnectOfAClientThisNodeDidNotRouteForLeavesNoRoute() {
        Object connection = new Object();
        SessionRoute route = routes.claim("meter-1", connection, (d, receipt) -> toConnection.add(d), false);
        List<Object> handedBackTo = new ArrayList<>();

        routes.unclaim(route, connection, handedBackTo::add);

        assertEquals(Collections.singletonList(null), handedBackTo, "nothing to hand back to");
        assertNull(routes.get("meter-1"));
    }
}
