package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.shoal.deploy.e2e.TestBroker;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Real MQTT 5 clients (HiveMQ MQTT client, Eclipse Paho mqttv5) for a test broker. */
public final class Clients5 {

    private Clients5() {
    }

    /** A HiveMQ MQTT 5 client builder aimed at the broker (add options, then build). */
    public static Mqtt5ClientBuilder hivemqBuilder(TestBroker broker, String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.port());
    }

    /** A HiveMQ MQTT 5 client, not yet connected. */
    public static Mqtt5BlockingClient hivemq(TestBroker broker, String clientId) {
        return hivemqBuilder(broker, clientId).buildBlocking();
    }

    /**
     * A HiveMQ MQTT 5 client, connected with a clean start and no session expiry, that feeds every
     * PUBLISH it receives into {@code inbox}.
     */
    public static Mqtt5BlockingClient hivemq(TestBroker broker, String clientId, Inbox5 inbox) {
        Mqtt5BlockingClient client = hivemq(broker, clientId);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        client.connect();
        return client;
    }

    /** An Eclipse Paho MQTT 5 client, not yet connected. */
    public static org.eclipse.paho.mqttv5.client.MqttClient paho(TestBroker broker, String clientId)
            throws MqttException {
        return new org.eclipse.paho.mqttv5.client.MqttClient(broker.uri(), clientId, new MemoryPersistence());
    }

    /** Paho connect options: clean start, no session expiry, no automatic reconnect. */
    public static MqttConnectionOptions pahoOptions() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        return options;
    }
}
