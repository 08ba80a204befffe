package io.shoal.bench.scenario;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.ConnectionsResult;
import io.shoal.bench.report.TrafficResult;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.metrics.Counter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
