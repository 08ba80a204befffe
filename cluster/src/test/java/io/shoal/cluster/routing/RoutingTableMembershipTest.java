package io.shoal.cluster.routing;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Leave;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nodes leaving, crashing and coming back: a fresh three-node cluster per test. */
class RoutingTableMembershipTest {

    private static final Duration VISIBLE = Duration.ofSeconds(10);

    private final List<ActorTestKit> nodes = new ArrayList<>();
    private ActorTestKit nodeA;
    private ActorTestKit nodeC;
    private RoutingTable a;
    private RoutingTable b;
    private RoutingTable c;

    @BeforeEach
    void formCluster() {
        nodeA = startNode(0);
        ActorTestKit nodeB = startNode(0);
        nodeC = startNode(0);
        ClusterNodes.join(nodeA, nodeA);
        ClusterNodes.join(nodeB, nodeA);
        ClusterNodes.join(nodeC, nodeA);
        for (ActorTestKit node : List.of(nodeA, nodeB, nodeC)) {
            ClusterNodes.awaitUp(node, 3);
        }
    }

    private void startTables(RoutingSettings settings) {
        a = RoutingTable.start(nodeA.system(), settings);
        b = RoutingTable.start(nodeB().system(), settings);
        c = RoutingTable.start(nodeC.system(), settings);
    }

    @AfterEach
    void stopCluster() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).shutdownTestKit();
        }
    }

    @Test
    void aNodeThatLeftKeepsItsRoutesUntilOneNodeSaysItsSessionsAreTakenOverThenAllForgetThem() {
        startTables(RoutingSettings.defaults());
        c.subscribed("leaving/#");
        c.subscribed("leaving/+/state");
        await().atMost(VISIBLE).until(() -> a.nodesFor("leaving/door/state").equals(Set.of(c.selfId())));
        await().atMost(VISIBLE).until(() -> b.nodesFor("leaving/door/state").equals(Set.of(c.selfId())));
        String leftId = c.selfId();

        Cluster.get(nodeC.system()).manager().tell(Leave.create(ClusterNodes.address(nodeC)));
        ClusterNodes.awaitUp(nodeA, 2);
        ClusterNodes.awaitUp(nodeB(), 2);
        assertEquals(Set.of(leftId), a.nodesFor("leaving/door/state"),
                "its entries stay: a publish they match is refused until its sessions are taken over");
        assertTrue(a.nodes().contains(leftId));

        a.forgetNodes(Set.of(leftId));

        await().atMost(VISIBLE).until(() -> a.nodesFor("leaving/door/state").isEmpty());
        await().atMost(VISIBLE).until(() -> b.nodesFor("leaving/door/state").isEmpty());
        assertTrue(a.departedEntriesRemoved() + b.departedEntriesRemoved() >= 2);
    }

    /**
     * A node that took over the left node's sessions routes their filters itself, and may have
     * written them just before it says so, too late for a delta (they then travel by gossip, which
     * takes seconds through 256 buckets). No node may drop the left node's entries before it has
     * the new ones: in between, a publish they match would be acknowledged and reach nobody.
     */
    @Test
    void noNodeForgetsALeftNodesEntriesBeforeItHasTheRoutesThatReplaceThem() {
        startTables(RoutingSettings.defaults());
        assertForgottenOnlyOnceReplaced(5_000);
    }

    /**
     * The same with every filter in one bucket, which every node reads in full before forgetting:
     * 30,000 entries, several times what a bucket holds at a million filters over 256 buckets.
     */
    @Test
    void aLargeBucketIsStillReadFromEveryNode() {
        startTables(new RoutingSettings(1, RoutingSettings.WriteMode.LOCAL, Duration.ofSeconds(3)));
        assertForgottenOnlyOnceReplaced(30_000);
    }

    private void assertForgottenOnlyOnceReplaced(int fillers) {
        String topic = "handover/door/state";
        c.subscribed("handover/+/state");
        await().atMost(VISIBLE).until(() -> b.nodesFor(topic).equals(Set.of(c.selfId())));
        String leftId = c.selfId();
        Cluster.get(nodeC.system()).manager().tell(Leave.create(ClusterNodes.address(nodeC)));
        ClusterNodes.awaitUp(nodeA, 2);
        ClusterNodes.awaitUp(nodeB(), 2);

        // More than one gossip interval's delta budget, so that the last writes go without deltas.
        for (int i = 0; i < fillers; i++) {
            a.subscribed("filler/" + i);
        }
        a.subscribed("handover/+/state"); // the left node's session, taken over
        a.forgetNodes(Set.of(leftId));

        AtomicBoolean sawNoRoute = new AtomicBoolean();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1)).until(() -> {
            Set<String> nodes = b.nodesFor(topic);
            if (nodes.isEmpty()) {
                sawNoRoute.set(true);
            }
            return nodes.equals(Set.of(a.selfId()));
        });
        assertFalse(sawNoRoute.get(), "a publish to " + topic + " would have matched no route");
        assertTrue(a.updatesWithoutDelta() > 0, "the test's premise: some of the new routes went without deltas");
        assertEquals(0, a.catchUpsFailed() + b.catchUpsFailed());
    }

    @Test
    void aCrashedNodeIsDownedItsRoutesRemovedAndOnRestartItRegistersAgain() {
        startTables(RoutingSettings.defaults());
        c.subscribed("crash/#");
        await().atMost(VISIBLE).until(() -> a.nodesFor("crash/1").equals(Set.of(c.selfId())));
        await().atMost(VISIBLE).until(() -> b.nodesFor("crash/1").equals(Set.of(c.selfId())));
        String crashedId = c.selfId();
        Address crashedAddress = ClusterNodes.address(nodeC);

        // Gone without leaving; an operator (in production the split brain resolver) downs it.
        nodeC.shutdownTestKit();
        Cluster.get(nodeA.system()).manager().tell(new Down(crashedAddress));
        ClusterNodes.awaitUp(nodeA, 2);
        b.forgetNodes(Set.of(crashedId)); // as the session sweeper does once it took its sessions over
        await().atMost(VISIBLE).until(() -> a.nodesFor("crash/1").isEmpty());
        await().atMost(VISIBLE).until(() -> b.nodesFor("crash/1").isEmpty());

        // The node comes back on the same host and port: a new incarnation, so a new id. It holds its
        // subscriptions again before it joins, as a node restoring its sessions at start does.
        ActorTestKit restarted = startNode(crashedAddress.getPort().get());
        RoutingTable again = RoutingTable.start(restarted.system(), RoutingSettings.defaults());
        again.subscribed("crash/#");
        ClusterNodes.join(restarted, nodeA);
        ClusterNodes.awaitUp(nodeA, 3);

        assertNotEquals(crashedId, again.selfId());
        await().atMost(VISIBLE).until(() -> a.nodesFor("crash/1").equals(Set.of(again.selfId())));
        await().atMost(VISIBLE).until(() -> b.nodesFor("crash/1").equals(Set.of(again.selfId())));
    }

    private ActorTestKit nodeB() {
        return nodes.get(1);
    }

    private ActorTestKit startNode(int port) {
        ActorTestKit node = ClusterNodes.start(port);
        nodes.add(node);
        return node;
    }
}
