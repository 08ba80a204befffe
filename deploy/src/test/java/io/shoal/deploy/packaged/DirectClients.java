package io.shoal.deploy.packaged;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** HiveMQ MQTT 5 clients connected straight to one node's MQTT port, to see what that node does. */
final class DirectClients {

    private DirectClients() {
    }

    /** A client of {@code node}, not connected, with no automatic reconnect. */
    static Mqtt5ClientBuilder builder(ClusterNode node, String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId)
                .transportConfig().serverHost(node.host()).serverPort(node.mqttPort())
                .socketConnectTimeout(2, TimeUnit.SECONDS).mqttConnectTimeout(15, TimeUnit.SECONDS)
                .applyTransportConfig();
    }

    /** A clean-start client of {@code node}, connected, that puts what it receives into {@code inbox}. */
    static Mqtt5BlockingClient connect(ClusterNode node, String clientId, BlockingQueue<Mqtt5Publish> inbox) {
        Mqtt5BlockingClient client = builder(node, clientId).buildBlocking();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox::add);
        client.connect();
        return client;
    }

    static void subscribe(Mqtt5BlockingClient client, String filter) {
        client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /**
     * Publishes {@code payload} on {@code topic} at QoS 1 until it shows up in {@code inbox}. Until
     * the nodes have exchanged their routes a message legitimately reaches no subscriber elsewhere,
     * so one publish would prove nothing either way.
     */
    static void publishUntilReceived(Mqtt5BlockingClient publisher, String topic, String payload,
                                     BlockingQueue<Mqtt5Publish> inbox) {
        await(payload + " on " + topic + " received").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                            .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
                    return inbox.stream().anyMatch(p -> p.getTopic().toString().equals(topic)
                            && new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8).equals(payload));
                });
    }
}
