package io.shoal.deploy.packaged;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged broker on Cassandra, as an operator runs it: killed with SIGKILL (no chance to hand
 * anything over, yet whatever it acknowledged is there when it comes back), and with a schema the
 * operator printed and applied with the jar's {@code schema} command.
 */
class PackagedCassandraIT {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    private static final int MESSAGES = 200;

    private final List<BrokerProcess> started = new ArrayList<>();

    @AfterEach
    void stopBrokers() throws InterruptedException {
        for (BrokerProcess broker : started) {
            broker.process().destroyForcibly();
            broker.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private BrokerProcess launch(int port) throws Exception {
        return launch(port, cassandra.keyspace(), Map.of());
    }

    private BrokerProcess launch(int port, String keyspace, Map<String, String> more) throws Exception {
        Map<String, String> env = new HashMap<>(more);
        env.putAll(Map.of(
                "SHOAL_MQTT_HOST", "127.0.0.1",
                "SHOAL_MQTT_PORT", String.valueOf(port),
                "SHOAL_CLUSTER_PORT", "0",
                "SHOAL_HEALTH_PORT", "0",
                "SHOAL_PERSISTENCE", "cassandra",
                "SHOAL_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint(),
                "SHOAL_CASSANDRA_KEYSPACE", keyspace));
        BrokerProcess broker = BrokerProcess.launchListening(env, port);
        started.add(broker);
        return broker;
    }

    /** Runs {@code java -jar shoal.jar schema <action>} and returns what it printed. */
    private String schema(String action, String keyspace) throws Exception {
        BrokerProcess command = BrokerProcess.launch(Map.of(
                "SHOAL_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint(),
                "SHOAL_CASSANDRA_KEYSPACE", keyspace), "schema", action);
        assertTrue(command.process().waitFor(120, TimeUnit.SECONDS), "schema " + action + " did not finish");
        assertEquals(0, command.process().exitValue(), command.output());
        return command.output();
    }

    @Test
    void anOperatorCanPrintAndApplyTheSchemaAndTheBrokerThenStartsWithoutCreatingIt() throws Exception {
        String keyspace = cassandra.keyspace() + "_ops";
        String printed = schema("print", keyspace);
        assertTrue(printed.contains("CREATE KEYSPACE IF NOT EXISTS " + keyspace), printed);
        assertTrue(printed.contains("CREATE TABLE IF NOT EXISTS " + keyspace + ".messages"), printed);
        assertTrue(printed.contains("CREATE TABLE IF NOT EXISTS " + keyspace + ".retained_messages"), printed);

        assertTrue(schema("apply", keyspace).contains("Applied"));

        int port = BrokerProcess.freePort();
        launch(port, keyspace, Map.of("SHOAL_CASSANDRA_CREATE_SCHEMA", "false"));
        Mqtt3BlockingClient client = client(port, "schema-ops");
        client.connectWith().cleanSession(false).send();
        client.subscribeWith().topicFilter("ops/#").qos(MqttQos.AT_LEAST_ONCE).send();
        client.disconnect();
    }

    private static Mqtt3BlockingClient client(int port, String id) {
        return MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
    }

    @Test
    void everyAcknowledgedMessageAndRetainedMessageSurvivesAKill() throws Exception {
        int port = BrokerProcess.freePort();
        BrokerProcess first = launch(port);
        Mqtt3BlockingClient device = client(port, "kill-device");
        device.connectWith().cleanSession(false).send();
        device.subscribeWith().topicFilter("kill/cmd/#").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect();
        Mqtt3BlockingClient publisher = client(port, "kill-publisher");
        publisher.connect();
        for (int i = 0; i < MESSAGES; i++) {
            // Blocking QoS 1 publish: returns once the broker has acknowledged it.
            publisher.publishWith().topic("kill/cmd/" + i % 4).payload(("m" + i).getBytes(StandardCharsets.UTF_8))
                    .qos(MqttQos.AT_LEAST_ONCE).send();
        }
        publisher.publishWith().topic("kill/state").payload("on".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).retain(true).send();

        first.process().destroyForcibly(); // SIGKILL
        assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
        launch(port);

        BlockingQueue<Mqtt3Publish> received = new LinkedBlockingQueue<>();
        Mqtt3BlockingClient resumed = client(port, "kill-device");
        resumed.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        assertTrue(resumed.connectWith().cleanSession(false).send().isSessionPresent(), "session present after a kill");
        // QoS 1 allows duplicates, never a loss or a reordering of first deliveries.
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            expected.add("kill/cmd/" + i % 4 + " m" + i);
        }
        LinkedHashSet<String> firstSeen = new LinkedHashSet<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Mqtt3Publish p;
            while ((p = received.poll()) != null) {
                firstSeen.add(p.getTopic() + " " + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(expected, new ArrayList<>(firstSeen));
        });

        BlockingQueue<Mqtt3Publish> retained = new LinkedBlockingQueue<>();
        Mqtt3BlockingClient reader = client(port, "kill-reader");
        reader.toAsync().publishes(MqttGlobalPublishFilter.ALL, retained::add);
        reader.connect();
        reader.subscribeWith().topicFilter("kill/+").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt3Publish state = retained.poll(10, TimeUnit.SECONDS);
        assertEquals("kill/state on", state.getTopic() + " " + new String(state.getPayloadAsBytes(), StandardCharsets.UTF_8));
        assertTrue(state.isRetain());
        resumed.disconnect();
        reader.disconnect();
    }
}
