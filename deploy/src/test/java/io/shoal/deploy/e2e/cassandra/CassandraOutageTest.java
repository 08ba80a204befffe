package io.shoal.deploy.e2e.cassandra;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.shoal.deploy.e2e.Clients;
import io.shoal.deploy.e2e.Inbox;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.deploy.e2e.mqtt5.Clients5;
import io.shoal.deploy.e2e.mqtt5.Inbox5;
import io.shoal.node.metrics.Counter;
import io.shoal.persistence.cassandra.CassandraStartup;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cassandra unavailable: at a node's start, and while it runs. The node says so, does not crash,
 * acknowledges nothing it could not store, and carries on once Cassandra is back.
 */
class CassandraOutageTest {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    /** Short back-off and store timeout, so that recovery is quick in a test. */
    private static final Map<String, String> QUICK = Map.of(
            "SHOAL_CASSANDRA_RETRY_MIN_BACKOFF", "500ms",
            "SHOAL_CASSANDRA_RETRY_MAX_BACKOFF", "2s",
            "SHOAL_SESSION_REQUEST_TIMEOUT", "5s");

    private final List<TestBroker> brokers = new ArrayList<>();
    private final ListAppender<ILoggingEvent> startupLog = new ListAppender<>();

    @AfterEach
    void cleanUp() {
        brokers.forEach(TestBroker::close);
        ((Logger) LoggerFactory.getLogger(CassandraStartup.class)).detachAppender(startupLog);
    }

    private TestBroker start() {
        TestBroker broker = TestBroker.start(CassandraBroker.env(cassandra, QUICK));
        brokers.add(broker);
        return broker;
    }

    @Test
    void aNodeStartedWithoutCassandraSaysSoWaitsAndServesOnceCassandraAnswers() throws Exception {
        startupLog.start();
        ((Logger) LoggerFactory.getLogger(CassandraStartup.class)).addAppender(startupLog);
        cassandra.stopServer();

        CompletableFuture<TestBroker> starting = CompletableFuture.supplyAsync(this::start);
        assertThrows(TimeoutException.class, () -> starting.get(5, TimeUnit.SECONDS),
                "the node must not open its MQTT port without its store");
        await().atMost(Duration.ofSeconds(10)).until(() -> startupLog.list.stream().anyMatch(e ->
                e.getLevel() == Level.WARN && e.getFormattedMessage().contains(cassandra.contactPoint())
                        && e.getFormattedMessage().contains("not ready")));

        cassandra.startServer();
        TestBroker broker = starting.get(120, TimeUnit.SECONDS);

        Inbox inbox = new Inbox();
        Mqtt3BlockingClient client = Clients.hivemq(broker, "after-outage", inbox);
        client.subscribeWith().topicFilter("outage/start").qos(MqttQos.AT_LEAST_ONCE).send();
        client.publishWith().topic("outage/start").payload("served".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send();
        inbox.expect("outage/start", "served");
        client.disconnect();
    }

    @Test
    void whileCassandraIsAwayNothingIsAcknowledgedThatWasNotStoredAndNothingAcknowledgedIsLost() throws Exception {
        TestBroker broker = start();
        Mqtt3BlockingClient device = Clients.hivemq(broker, "outage-device");
        device.connectWith().cleanSession(false).send();
        device.subscribeWith().topicFilter("outage/cmd").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect();
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "outage-publisher");
        publisher.connect();
        List<String> acknowledged = new ArrayList<>();
        assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publish(publisher, "before").getReasonCode());
        acknowledged.add("before");

        Inbox5 live = new Inbox5();
        Mqtt5BlockingClient online = Clients5.hivemq(broker, "outage-online", live);
        online.subscribeWith().topicFilter("outage/live").qos(MqttQos.AT_LEAST_ONCE).send();

        cassandra.stopServer();
        Mqtt5PubAck refused = publish(publisher, "during");
        assertEquals(Mqtt5PubAckReasonCode.UNSPECIFIED_ERROR, refused.getReasonCode(), "not stored: " + refused);
        assertTrue(broker.metrics().get(Counter.ACK_STORE_FAILED) + broker.metrics().get(Counter.ACK_STORE_TIMED_OUT) > 0);
        // The node carries on: connected clients are served as before, without storage...
        online.publishWith().topic("outage/live").payload("still serving".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send();
        live.expect("outage/live", "still serving");
        // ...while a new connection, whose session must be read first, is refused with a clear reason.
        Mqtt5ConnAckException unavailable = assertThrows(Mqtt5ConnAckException.class,
                () -> Clients5.hivemq(broker, "outage-newcomer").connect());
        assertEquals(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE, unavailable.getMqttMessage().getReasonCode());
        // So is a client whose session this node routes while it is away; the node goes on routing it.
        Mqtt3ConnAckException deviceRefused = assertThrows(Mqtt3ConnAckException.class,
                () -> Clients.hivemq(broker, "outage-device").connectWith().cleanSession(false).send());
        assertEquals(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE, deviceRefused.getMqttMessage().getReturnCode());
        online.disconnect();

        cassandra.startServer();
        // Once the driver has reconnected, messages are stored and acknowledged again.
        int[] attempt = {0};
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            String payload = "after " + attempt[0]++;
            if (publish(publisher, payload).getReasonCode() != Mqtt5PubAckReasonCode.SUCCESS) {
                return false;
            }
            acknowledged.add(payload);
            return true;
        });
        publisher.disconnect();

        Inbox inbox = new Inbox();
        Mqtt3BlockingClient resumed = Clients.hivemq(broker, "outage-device");
        resumed.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        assertTrue(resumed.connectWith().cleanSession(false).send().isSessionPresent());
        List<String> received = new ArrayList<>();
        while (received.size() < acknowledged.size()) {
            String payload = inbox.next().payload();
            if (!payload.equals("during")) { // refused, so the publisher knows; it may not be redelivered
                received.add(payload);
            }
        }
        assertEquals(acknowledged, received, "every acknowledged message, in order");
        resumed.disconnect();
    }

    /** The PUBACK of a QoS 1 publish; the HiveMQ client throws for an error reason code. */
    private static Mqtt5PubAck publish(Mqtt5BlockingClient publisher, String payload) {
        try {
            Mqtt5PublishResult result = publisher.publishWith().topic("outage/cmd")
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck();
        } catch (Mqtt5PubAckException refused) {
            return refused.getMqttMessage();
        }
    }
}
