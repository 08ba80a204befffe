package io.shoal.bench.scenario;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.probe.BrokerProcess;
import io.shoal.bench.report.ConnectionsResult;
import io.shoal.bench.report.TrafficResult;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.metrics.Counter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load scenarios against a real Shoal node, small and short: they account for every message. */
class TrafficRunTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static TrafficRun.Settings settings(int qos, double rate, MqttVersion version) {
        return new TrafficRun.Settings("shoal", "127.0.0.1", broker.port(), qos, 100, rate, Duration.ofMillis(300),
                Duration.ofSeconds(1), 100_000, new ClientOptions(version, 60, 50), 2, null);
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void pairsAtAFixedRateDeliverEverythingOnce(int qos) throws Exception {
        TrafficResult r = new TrafficRun(new Topology.Pairs("test/pairs/" + qos, 5), settings(qos, 1000,
                MqttVersion.MQTT_3_1_1)).run();
        assertEquals("pairs", r.scenario());
        assertTrue(r.sent() >= 1000, "about 1.3 s at 1000/s: " + r.sent());
        assertEquals(r.sent(), r.expected(), "a pair's subscriber expects everything its publisher sent");
        assertEquals(0, r.lost());
        assertEquals(0, r.duplicates());
        assertTrue(r.deliveredPerSecond() > 500 && r.deliveredPerSecond() < 1500, "delivered/s " + r.deliveredPerSecond());
        assertTrue(r.p50Micros() > 0 && r.p50Micros() <= r.p99Micros() && r.p99Micros() <= r.maxMicros());
        assertNotNull(r.brokerCpuCores(), "the broker (this JVM) is found by its listening port");
        assertEquals(0, r.connectionsClosed());
    }

    @Test
    void fanoutDeliversEachMessageToEverySubscriber() throws Exception {
        TrafficResult r = new TrafficRun(new Topology.FanOut("test/fanout", 10), settings(1, 200,
                MqttVersion.MQTT_3_1_1)).run();
        assertEquals(r.sent() * 10, r.expected());
        assertEquals(0, r.lost());
        assertEquals(0, r.duplicates());
    }

    @Test
    void subscribersWithPersistentSessionsAtTheirOwnAddressReceiveEverythingOnce() throws Exception {
        // The subscribers' address is the same node here; a cluster benchmark gives another node's.
        TrafficRun.Settings persistent = new TrafficRun.Settings("shoal", "127.0.0.1", broker.port(), 1, 100, 500,
                Duration.ofMillis(300), Duration.ofSeconds(1), 100_000, new ClientOptions(MqttVersion.MQTT_3_1_1, 60, 50),
                2, null, "127.0.0.1", broker.port(), true);
        TrafficResult r = new TrafficRun(new Topology.Pairs("test/persistent", 5), persistent).run();
        assertTrue(r.sent() >= 500, "about 1.3 s at 500/s: " + r.sent());
        assertEquals(0, r.lost());
        assertEquals(0, r.duplicates());
        assertNull(r.subscriberBrokerCpuCores(), "one broker process: no second CPU figure");
    }

    @Test
    void persistentSubscribersAtAnotherAddressGetEveryMessageNoProbeAndLeaveNoSessionBehind() throws Exception {
        // "localhost" is another address than the publishers' "127.0.0.1" for the run (as another
        // node of a cluster would be), but the same broker: the routes are probed, the
        // subscribers' broker has no CPU column of its own, and every session can be checked here.
        long publishesBefore = broker.metrics().get(Counter.PUBLISHES_RECEIVED);
        TrafficRun run = new TrafficRun(new Topology.Pairs("test/persistent-elsewhere", 5), new TrafficRun.Settings(
                "shoal", "127.0.0.1", broker.port(), 1, 100, 500, Duration.ofMillis(300), Duration.ofSeconds(1),
                100_000, new ClientOptions(MqttVersion.MQTT_3_1_1, 60, 50), 2, null, "localhost", broker.port(),
                true));
        TrafficResult r = run.run();

        assertTrue(r.sent() >= 500, "about 1.3 s at 500/s: " + r.sent());
        assertEquals(r.sent(), r.expected(), "each subscriber expects what its publisher sent, and only that");
        assertEquals(0, r.lost());
        assertEquals(0, r.duplicates());
        assertEquals(0, r.connectionsClosed());
        assertTrue(r.deliveredPerSecond() > 250 && r.deliveredPerSecond() < 750, "delivered/s " + r.deliveredPerSecond());
        long publishes = broker.metrics().get(Counter.PUBLISHES_RECEIVED) - publishesBefore;
        assertTrue(publishes >= r.sent() + 5, "at least one probe per publisher went through the broker, uncounted: "
                + publishes + " PUBLISHes for " + r.sent() + " messages sent");
        assertNull(r.subscriberBrokerCpuCores(), "one broker process: no second CPU figure");
        for (int s = 0; s < 5; s++) {
            assertFalse(sessionPresent(run.clientId("sub", s)), "subscriber " + s + "'s session was removed");
        }
    }

    @Test
    void aSlowSearchForTheBrokerProcessTakesNothingFromTheWarmupOrTheWindow() throws Exception {
        // Finding the broker scans /proc/net/tcp6 and every process's descriptors: on a busy
        // machine with thousands of sockets that took seconds, longer than warm-up and window, and
        // a run measured nothing (delivered/s 0, no latency, cpu 0.00). The sleep stands in for that scan.
        TrafficResult r = new TrafficRun(new Topology.Pairs("test/slow-lookup", 5), settings(1, 500,
                MqttVersion.MQTT_3_1_1), port -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(1500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return BrokerProcess.listeningOn(port);
                }).run();
        assertEquals(0, r.lost());
        assertTrue(r.deliveredPerSecond() > 250 && r.deliveredPerSecond() < 750, "delivered/s " + r.deliveredPerSecond());
        assertNotNull(r.p50Micros(), "messages sent inside the window arrived");
        assertTrue(r.brokerCpuCores() != null && r.brokerCpuCores() > 0, "cpu cores " + r.brokerCpuCores());
    }

    @Test
    void aPersistentSessionLeftBehindWouldBeFound() {
        // The check above, on a session that is left in place.
        Mqtt3BlockingClient left = MqttClient.builder().useMqttVersion3().identifier("left-behind")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        left.connectWith().cleanSession(false).send();
        left.disconnect();
        assertTrue(sessionPresent("left-behind"));
        assertFalse(sessionPresent("left-behind"), "the check ends the session it finds");
    }

    /** Whether the broker has a session for {@code clientId}; a session found ends with this connection. */
    private static boolean sessionPresent(String clientId) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        boolean present = client.connectWith().cleanStart(false).sessionExpiryInterval(0).send().isSessionPresent();
        client.disconnect();
        return present;
    }

    @Test
    void faninAtMaximumRateLosesExactlyWhatTheBrokerCountsAsDropped() throws Exception {
        // One subscriber cannot keep up with ten publishers at full speed: its bounded queue
        // overflows. Every message the load generator finds missing must be a drop the broker counted.
        long droppedBefore = broker.metrics().get(Counter.DROPPED_QUEUE_FULL);
        TrafficResult r = new TrafficRun(new Topology.FanIn("test/fanin", 10), settings(1, 0,
                MqttVersion.MQTT_3_1_1)).run();
        assertTrue(r.sent() > 0);
        assertEquals(r.sent(), r.expected());
        assertEquals(broker.metrics().get(Counter.DROPPED_QUEUE_FULL) - droppedBefore, r.lost());
        assertEquals(0, r.duplicates());
    }

    @Test
    void connectionsAreOpenedHeldAndMeasured() throws Exception {
        ConnectionsResult r = new ConnectionsRun(new ConnectionsRun.Settings("shoal", "127.0.0.1", broker.port(), 300,
                0, Duration.ofMillis(200), new ClientOptions(MqttVersion.MQTT_3_1_1, 60, 1), 2, null)).run();
        assertEquals(300, r.connected());
        assertEquals(0, r.failed());
        assertTrue(r.connectsPerSecond() > 0);
        assertNotNull(r.rssPerConnectionBytes());
    }
}
