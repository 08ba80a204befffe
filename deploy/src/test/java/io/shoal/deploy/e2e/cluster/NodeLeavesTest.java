package io.shoal.deploy.e2e.cluster;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import io.shoal.deploy.e2e.mqtt5.Clients5;
import io.shoal.deploy.e2e.mqtt5.Inbox5;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node leaves the cluster while it routes for an offline persistent session: the session is taken
 * over by another node, and what is published after it left reaches the client when it comes back
 * elsewhere. Until then, publishes to the session's topics are refused rather than lost.
 */
class NodeLeavesTest {

    @RegisterExtension
    @Order(1)
    static final CassandraExtension cassandra = new CassandraExtension();
    @RegisterExtension
    @Order(2)
    static final ThreeNodes nodes = new ThreeNodes(cassandra);

    @Test
    void theOfflineSessionsOfANodeThatLeftAreTakenOverAndGetWhatIsPublishedAfterward() {
        Mqtt5BlockingClient device = nodes.track(Clients5.hivemq(nodes.c, "left-behind"));
        device.connectWith().cleanStart(true).sessionExpiryInterval(300).send();
        device.subscribeWith().topicFilter("left/#").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect(); // offline; node c routes its messages
        ThreeNodes.awaitRoute(nodes.a, "left/cmd", nodes.c);

        nodes.c.close(); // leaves the cluster
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.a.node().upMembers() == 2);

        Mqtt5BlockingClient publisher = nodes.track(Clients5.hivemq(nodes.a, "left-publisher", new Inbox5()));
        // Refused while nobody routes for the session, accepted once the sweep has taken it over.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> accepted(publisher, "left/cmd", "while you were away"));

        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient back = nodes.track(Clients5.hivemq(nodes.b, "left-behind"));
        back.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        assertTrue(back.connectWith().cleanStart(false).sessionExpiryInterval(300).send().isSessionPresent());
        assertEquals("while you were away", inbox.next().payload());
    }

    private static boolean accepted(Mqtt5BlockingClient publisher, String topic, String payload) {
        try {
            publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
            return true;
        } catch (Mqtt5PubAckException refused) {
            return false;
        }
    }
}
