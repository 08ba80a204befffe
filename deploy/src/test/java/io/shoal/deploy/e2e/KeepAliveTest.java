package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.shoal.node.metrics.Counter;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keep-alive, MQTT 3.1.1 section 3.1.2.10. */
class KeepAliveTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void silentClientIsClosedAfterOneAndAHalfTimesItsKeepAlive() throws Exception {
        long timeouts = broker.metrics().get(Counter.KEEP_ALIVE_TIMEOUTS);
        try (RawClient client = new RawClient(broker.port())) {
        client.connect("silent", true, 1);
            // Still open after one keep-alive period (1 s) ...
            assertFalse(client.awaitClosed(Duration.ofMillis(1000)));
            // ... closed soon after 1.5 periods.
            assertTrue(client.awaitClosed(Duration.ofSeconds(3)));
        }
        assertEquals(timeouts + 1, broker.metrics().get(Counter.KEEP_ALIVE_TIMEOUTS));
    }

    @Test
    void pingreqIsAnsweredWithPingresp() throws Exception {
        try (RawClient client = RawClient.connected(broker.port(), "pinger", true)) {
        client.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            assertEquals(MqttMessageType.PINGRESP, client.receive().fixedHeader().messageType());
        }
    }

    @Test
    void clientThatPingsStaysConnected() throws Exception {
        MqttConnectOptions options = Clients.pahoOptions(true);
        options.setKeepAliveInterval(1);
        MqttClient client = new MqttClient(broker.uri(), "keeps-pinging", new MemoryPersistence());
        client.connect(options);
        // Paho sends nothing but PINGREQs; three keep-alive periods pass without a disconnect.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(client::isConnected);
        client.disconnect();
    }

    @Test
    void connectionThatNeverSendsConnectIsClosed() throws Exception {
        try (TestBroker quick = TestBroker.start(java.util.Map.of("SHOAL_MQTT_CONNECT_TIMEOUT", "500ms"));
             RawClient client = new RawClient(quick.port())) {
        assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
            assertEquals(1, quick.metrics().get(Counter.CONNECT_TIMEOUTS));
        }
    }
}
