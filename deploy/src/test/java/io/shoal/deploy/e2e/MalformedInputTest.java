package io.shoal.deploy.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.shoal.node.metrics.Counter;
import io.shoal.node.protocol.MqttConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input closes only the offending connection, is logged with its client id, and everyone else
 * keeps being served: after each case a bystander pair of clients still exchanges a message.
 */
class MalformedInputTest {

    private static final int MAX_PACKET_SIZE = 1024;

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of("SHOAL_MQTT_MAX_PACKET_SIZE", String.valueOf(MAX_PACKET_SIZE)));
    private static Mqtt3BlockingClient bystander;
    private static final Inbox bystanderInbox = new Inbox();
    private static final AtomicInteger round = new AtomicInteger();
    private static final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void start() {
        bystander = Clients.hivemq(broker, "bystander", bystanderInbox);
        bystander.subscribeWith().topicFilter("bystander/#").qos(MqttQos.AT_LEAST_ONCE).send();
        log.start();
        ((Logger) LoggerFactory.getLogger(MqttConnection.class)).addAppender(log);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(MqttConnection.class)).detachAppender(log);
        bystander.disconnect();
    }

    @AfterEach
    void everyoneElseIsStillServed() {
        String payload = "still here " + round.incrementAndGet();
        bystander.publishWith().topic("bystander/check").qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
        bystanderInbox.expect("bystander/check", payload);
    }

    @Test
    void malformedPacket() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "sends-garbage", true)) {
        client.sendBytes(new byte[] {0x00, 0x02, 0x01, 0x02}); // packet type 0 is reserved
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertLoggedWithClientId("sends-garbage");
    }

    @Test
    void packetLargerThanTheMaximum() throws Exception {
        long tooLarge = broker.metrics().get(Counter.PACKETS_TOO_LARGE);
        try (RawClient client = RawClient.connected(broker.port(), "sends-too-much", true)) {
        // Only the fixed header is sent: the packet is refused before its body is buffered.
            client.sendBytes(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, 0x7F});
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertEquals(tooLarge + 1, broker.metrics().get(Counter.PACKETS_TOO_LARGE));
        assertLoggedWithClientId("sends-too-much");
    }

    @Test
    void packetJustUnderTheMaximumIsAccepted() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "sends-max", true)) {
        byte[] topic = "bystander/big".getBytes(StandardCharsets.UTF_8);
            // fixed header 3 bytes (remaining length needs two) + topic length 2 + topic + payload
            byte[] payload = new byte[MAX_PACKET_SIZE - 3 - 2 - topic.length];
            client.sendBytes(Packets.publish(topic, 0, 0, payload));
            assertEquals(payload.length, bystanderInbox.next().payload().length());
        }
    }

    @Test
    void invalidUtf8InTopicName() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "bad-utf8", true)) {
        client.sendBytes(Packets.publish(new byte[] {'a', '/', (byte) 0xC3, 0x28}, 0, 0, new byte[] {1}));
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertLoggedWithClientId("bad-utf8");
    }

    @Test
    void wildcardInPublishTopic() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "publishes-wildcard", true)) {
        client.sendBytes(Packets.publish("bystander/+".getBytes(StandardCharsets.UTF_8), 0, 0, new byte[] {1}));
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertLoggedWithClientId("publishes-wildcard");
    }

    @Test
    void packetIdZeroOnQos1() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "packet-id-zero", true)) {
        client.sendBytes(Packets.publish("bystander/zero".getBytes(StandardCharsets.UTF_8), 1, 0, new byte[] {1}));
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertLoggedWithClientId("packet-id-zero");
    }

    @Test
    void publishBeforeConnect() throws Exception {
        long errors = broker.metrics().get(Counter.PROTOCOL_ERRORS);
        try (RawClient client = new RawClient(broker.port())) {
        client.sendBytes(Packets.publish("bystander/early".getBytes(StandardCharsets.UTF_8), 0, 0, new byte[] {1}));
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertEquals(errors + 1, broker.metrics().get(Counter.PROTOCOL_ERRORS));
    }

    @Test
    void subscribeWithWrongFixedHeaderFlags() throws Exception {
        assertClosedAfter("subscribe-flags", Packets.packet(0x80, // must be 0x82 [MQTT-3.8.1-1]
                new byte[] {0, 1, 0, 1, 'a', 1}));
    }

    @Test
    void publishWithQos3() throws Exception {
        byte[] valid = Packets.publish("bystander/q3".getBytes(StandardCharsets.UTF_8), 1, 5, new byte[] {1});
        valid[0] = 0x36; // QoS bits 11 [MQTT-3.3.1-4]
        assertClosedAfter("publish-qos3", valid);
    }

    @Test
    void subscribeWithoutTopicFilters() throws Exception {
        assertClosedAfter("subscribe-empty", Packets.packet(0x82, new byte[] {0, 1})); // [MQTT-3.8.3-3]
    }

    @Test
    void unsubscribeWithoutTopicFilters() throws Exception {
        assertClosedAfter("unsubscribe-empty", Packets.packet(0xA2, new byte[] {0, 1})); // [MQTT-3.10.3-2]
    }

    @Test
    void subscribeWithReservedBitsInRequestedQos() throws Exception {
        assertClosedAfter("subscribe-reserved", Packets.packet(0x82, new byte[] {0, 1, 0, 1, 'a', 0x05}));
    }

    @Test
    void invalidUtf8InTopicFilter() throws Exception {
        assertClosedAfter("filter-utf8", Packets.packet(0x82, new byte[] {0, 1, 0, 2, (byte) 0xED, (byte) 0xA0, 1}));
    }

    @Test
    void emptyTopicName() throws Exception {
        assertClosedAfter("empty-topic", Packets.publish(new byte[0], 0, 0, new byte[] {1})); // [MQTT-4.7.3-1]
    }

    @Test
    void nullCharacterInTopicName() throws Exception {
        assertClosedAfter("null-topic", Packets.publish(new byte[] {'a', 0, 'b'}, 0, 0, new byte[] {1})); // [MQTT-4.7.3-2]
    }

    @Test
    void invalidUtf8InUnsubscribeFilter() throws Exception {
        assertClosedAfter("unsub-utf8", Packets.packet(0xA2, new byte[] {0, 1, 0, 2, (byte) 0xC3, 0x28}));
    }

    @Test
    void invalidUtf8InClientIdWillTopicOrUserNameRefusesTheConnect() throws Exception {
        byte[] bad = {'x', (byte) 0xC0, (byte) 0x80}; // overlong encoding of U+0000
        byte[] ok = Packets.utf8("ok");
        assertConnectClosed(Packets.connect("MQTT", 4, 0x02, bad, ok, ok)); // [MQTT-3.1.3-4]
        assertConnectClosed(Packets.connect("MQTT", 4, 0x06, Packets.utf8("will-utf8"), bad, ok)); // [MQTT-3.1.3-10]
        assertConnectClosed(Packets.connect("MQTT", 4, 0x82, Packets.utf8("user-utf8"), ok, bad)); // [MQTT-3.1.3-11]
    }

    private static void assertConnectClosed(byte[] connect) throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
        client.sendBytes(connect);
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    private static void assertClosedAfter(String clientId, byte[] packet) throws Exception {
        long errors = broker.metrics().get(Counter.PROTOCOL_ERRORS);
        try (RawClient client = RawClient.connected(broker.port(), clientId, true)) {
        client.sendBytes(packet);
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
        assertEquals(errors + 1, broker.metrics().get(Counter.PROTOCOL_ERRORS));
        assertLoggedWithClientId(clientId);
    }

    private static void assertLoggedWithClientId(String clientId) {
        await().atMost(Duration.ofSeconds(5)).until(() -> log.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("client " + clientId + " ")));
    }
}
