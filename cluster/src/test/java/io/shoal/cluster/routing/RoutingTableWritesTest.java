package io.shoal.cluster.routing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** How the table's actor writes to the Replicator, on a cluster of one. */
class RoutingTableWritesTest {

    private ActorTestKit node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.shutdownTestKit();
        }
    }

    /**
     * A burst of writes keeps the Replicator busy for longer than an ask would wait; the table's
     * actor must outlive that. Here the ask limit is 1 ms, so any ask would time out.
     */
    @Test
    void writesDoNotDependOnTheReplicatorAnsweringInTime() {
        node = ClusterNodes.start(0, ConfigFactory.parseString(
                "akka.cluster.ddata.typed.replicator-message-adapter-unexpected-ask-timeout = 1ms"));
        ClusterNodes.join(node, node);
        ClusterNodes.awaitUp(node, 1);
        RoutingTable table = RoutingTable.start(node.system(), RoutingSettings.defaults());

        for (int i = 0; i < 5_000; i++) {
            table.subscribed("burst/" + i + "/#");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> table.viewEntries() == 5_000);

        table.subscribed("after/the/burst");
        await().atMost(Duration.ofSeconds(10)).until(() -> table.viewEntries() == 5_001);
        assertEquals(0, table.writeFailures());
    }
}
