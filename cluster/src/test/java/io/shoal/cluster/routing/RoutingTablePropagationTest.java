package io.shoal.cluster.routing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Three nodes in one cluster; each test uses its own filters. */
class RoutingTablePropagationTest {

    private static final Duration VISIBLE = Duration.ofSeconds(10);

    private static ActorTestKit nodeA;
    private static ActorTestKit nodeB;
    private static ActorTestKit nodeC;
    private static RoutingTable a;
    private static RoutingTable b;
    private static RoutingTable c;

    @BeforeAll
    static void formCluster() {
        nodeA = ClusterNodes.start(0);
        nodeB = ClusterNodes.start(0);
        nodeC = ClusterNodes.start(0);
        ClusterNodes.join(nodeA, nodeA);
        ClusterNodes.join(nodeB, nodeA);
        ClusterNodes.join(nodeC, nodeA);
        for (ActorTestKit node : List.of(nodeA, nodeB, nodeC)) {
            ClusterNodes.awaitUp(node, 3);
        }
        RoutingSettings settings = RoutingSettings.defaults();
        a = RoutingTable.start(nodeA.system(), settings);
        b = RoutingTable.start(nodeB.system(), settings);
        c = RoutingTable.start(nodeC.system(), settings);
        // Each table has settled (including its re-registration on seeing itself Up) once its own
        // route is visible to the others.
        for (RoutingTable table : List.of(a, b, c)) {
            table.subscribed("warmup");
        }
        for (RoutingTable table : List.of(a, b, c)) {
            await().atMost(VISIBLE).until(() -> table.nodesFor("warmup").size() == 2);
        }
    }

    @AfterAll
    static void stopCluster() {
        for (ActorTestKit node : List.of(nodeC, nodeB, nodeA)) {
            if (node != null) {
                node.shutdownTestKit();
            }
        }
    }

    @Test
    void routeAddedOnOneNodeIsSeenByTheOthersForMatchingTopics() {
        a.subscribed("sensors/+/temp");
        a.subscribed("alerts/#");

        for (RoutingTable other : List.of(b, c)) {
            await().atMost(VISIBLE).until(() -> other.nodesFor("sensors/kitchen/temp").equals(Set.of(a.selfId())));
            await().atMost(VISIBLE).until(() -> other.nodesFor("alerts/fire/floor2").equals(Set.of(a.selfId())));
            assertEquals(Set.of(a.selfId()), other.nodesFor("alerts"), "'#' matches its parent level");
            assertEquals(Set.of(), other.nodesFor("sensors/kitchen/humidity"));
            assertEquals(Set.of(), other.nodesFor("sensors/kitchen/temp/extra"));
        }
        assertEquals(Set.of(), a.nodesFor("sensors/kitchen/temp"), "a node is not its own remote");
    }

    @Test
    void churnOfLocalSubscriptionsWritesOnlyOnTheFirstSubscribe() {
        b.subscribed("churn/one");
        await().atMost(VISIBLE).until(() -> a.nodesFor("churn/one").equals(Set.of(b.selfId())));
        long writesBefore = b.writes();

        // 100 subscribe/unsubscribe pairs from four threads, as from four event loops.
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int loop = 0; loop < 4; loop++) {
            loops.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 25; i++) {
                    b.subscribed("churn/one");
                    b.unsubscribed("churn/one");
                }
            }));
        }
        loops.forEach(CompletableFuture::join);

        // A fence: writes are made in order, so any churn write would be counted before this one.
        b.subscribed("churn/fence");
        await().atMost(VISIBLE).until(() -> a.nodesFor("churn/fence").equals(Set.of(b.selfId())));
        assertEquals(writesBefore + 1, b.writes(), "only the fence's first subscribe was written");
        assertEquals(Set.of(b.selfId()), a.nodesFor("churn/one"));
        assertEquals(Set.of(b.selfId()), c.nodesFor("churn/one"));
    }

    @Test
    void lastUnsubscribeRemovesTheRouteEverywhere() {
        c.subscribed("gone/+");
        c.subscribed("gone/+");
        await().atMost(VISIBLE).until(() -> a.nodesFor("gone/x").equals(Set.of(c.selfId())));
        await().atMost(VISIBLE).until(() -> b.nodesFor("gone/x").equals(Set.of(c.selfId())));

        c.unsubscribed("gone/+");
        c.subscribed("gone/fence");
        await().atMost(VISIBLE).until(() -> a.nodesFor("gone/fence").equals(Set.of(c.selfId())));
        assertEquals(Set.of(c.selfId()), a.nodesFor("gone/x"), "one local subscription remains");

        c.unsubscribed("gone/+");
        await().atMost(VISIBLE).until(() -> a.nodesFor("gone/x").isEmpty());
        await().atMost(VISIBLE).until(() -> b.nodesFor("gone/x").isEmpty());
    }

    /**
     * B's last unsubscribe races A's first subscribe to the same filter. Ten rounds: with filters as
     * the map keys (B's removal emptying and removing the key) B's id came back within a few rounds.
     */
    @Test
    void concurrentRemoveAndAddOfOneFilterOnTwoNodesKeepsTheAdd() {
        for (int round = 0; round < 10; round++) {
            String filter = "handover/" + round + "/#";
            String topic = "handover/" + round + "/x";
            b.subscribed(filter);
            await().atMost(VISIBLE).until(() -> a.nodesFor(topic).equals(Set.of(b.selfId()))
                    && c.nodesFor(topic).equals(Set.of(b.selfId())));

            b.unsubscribed(filter);
            a.subscribed(filter);

            await().atMost(VISIBLE).untilAsserted(() -> assertEquals(Set.of(a.selfId()), c.nodesFor(topic)));
            await().atMost(VISIBLE).untilAsserted(() -> assertEquals(Set.of(a.selfId()), b.nodesFor(topic)));
        }
    }
}
