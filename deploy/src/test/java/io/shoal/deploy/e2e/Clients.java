package io.shoal.deploy.e2e;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Real third-party clients connected to a test broker. */
public final class Clients {

    private Clients() {
    }

    /** An Eclipse Paho MQTT 3.1.1 client, connected. */
    public static org.eclipse.paho.client.mqttv3.MqttClient paho(TestBroker broker, String clientId, boolean cleanSession)
            throws MqttException {
        org.eclipse.paho.client.mqttv3.MqttClient client =
                new org.eclipse.paho.client.mqttv3.MqttClient(broker.uri(), clientId, new MemoryPersistence());
        client.connect(pahoOptions(cleanSession));
        return client;
    }

    public static MqttConnectOptions pahoOptions(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(cleanSession);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        // Paho releases a synchronous publish when its PUBACK arrives but frees the in-flight slot
        // later, on its callback thread; against a fast broker ten quick publishes can outrun that
        // thread and fail with "Too many publishes in progress". Not what these tests are about.
        options.setMaxInflight(1000);
        return options;
    }

    /**
     * A HiveMQ MQTT 3 client, connected, that feeds every PUBLISH it receives into {@code inbox}
     * (one entry per packet, whatever subscriptions it matches).
     */
    public static Mqtt3BlockingClient hivemq(TestBroker broker, String clientId, Inbox inbox) {
        Mqtt3BlockingClient client = hivemq(broker, clientId);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        client.connect();
        return client;
    }

    /** A HiveMQ MQTT 3 client, not yet connected. */
    public static Mqtt3BlockingClient hivemq(TestBroker broker, String clientId) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
    }
}
