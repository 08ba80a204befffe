package io.shoal.bench.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example building, scaled down, played against a real Shoal node and watched by a real client. */
class SimulationTest {

    private static final File BUILDING = new File("building.conf");

    @Test
    void theExampleBuildingPublishesReadingsOnItsTopicsWithFieldsInRange() throws Exception {
        List<DeviceGroup> groups = Simulation.scale(DeviceGroup.load(BUILDING), 40);
        try (TestBroker broker = TestBroker.start()) {
            Queue<Mqtt3Publish> seen = new ConcurrentLinkedQueue<>();
            Mqtt3BlockingClient watcher = MqttClient.builder().useMqttVersion3().identifier("watcher")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            watcher.toAsync().publishes(MqttGlobalPublishFilter.ALL, seen::add);
            watcher.connect();
            watcher.subscribeWith().topicFilter("building/#").qos(MqttQos.AT_LEAST_ONCE).send();

            Simulation simulation = new Simulation(groups, 42);
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Simulation.Summary summary;
            try (ClientFleet fleet = new ClientFleet("127.0.0.1", broker.port(), 2, 1)) {
                summary = simulation.run(fleet, new ClientOptions(MqttVersion.MQTT_3_1_1, 60, 10), 0,
                        Duration.ofSeconds(3), new PrintStream(progress));
            }
            watcher.disconnect();

            assertEquals(simulation.size(), summary.connected());
            assertEquals(0, summary.failed());
            assertTrue(summary.published() > 0);
            assertTrue(progress.toString().contains("connected"), progress.toString());
            assertFalse(seen.isEmpty());
            ObjectMapper json = new ObjectMapper();
            for (Mqtt3Publish p : seen) {
                String topic = p.getTopic().toString();
                JsonNode reading = json.readTree(p.getPayloadAsBytes());
                assertTrue(reading.has("device") && reading.has("ts"), topic);
                if (topic.endsWith("/climate")) {
                    assertTrue(topic.matches("building/floor-\\d+/room-\\d+/climate"), topic);
                    double t = reading.get("temperature").asDouble();
                    assertTrue(t >= 17 && t <= 27, "temperature " + t);
                } else if (topic.endsWith("/energy")) {
                    assertTrue(List.of("L1", "L2", "L3").contains(reading.get("phase").asText()));
                }
            }
        }
    }

    @Test
    void aBadFileIsRefusedNamingTheSetting(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        File file = dir.resolve("bad.conf").toFile();
        java.nio.file.Files.writeString(file.toPath(),
                "devices = [ { name = x, count = 1, topic = \"t/{id}\", interval = 1s, qos = 3, fields {} } ]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceGroup.load(file));
        assertTrue(e.getMessage().contains("devices[0]") && e.getMessage().contains("qos"), e.getMessage());
    }
}
