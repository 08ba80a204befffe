package io.shoal.bench.scenario;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.TakeoverResult;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Sessions taken over on one real Shoal node (the same-node baseline): every session moves intact. */
class TakeoverRunTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @ParameterizedTest(name = "offline {0}, concurrency {1}, MQTT {2}")
    @CsvSource({"false, 1, 3.1.1", "false, 3, 5", "true, 1, 3.1.1", "true, 3, 5"})
    void everySessionMovesWithItsMessages(boolean offline, int concurrency, String mqtt) throws Exception {
        InetSocketAddress node = new InetSocketAddress("127.0.0.1", broker.port());
        MqttVersion version = mqtt.equals("5") ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1;
        TakeoverResult r = new TakeoverRun(new TakeoverRun.Settings("shoal", node, node, node, 6, concurrency, 3,
                offline, 64, Duration.ofSeconds(10), new ClientOptions(version, 60, 100), 2)).run();
        assertFalse(r.failedAny(), r.toString());
        assertEquals(6, r.moved());
        assertEquals(offline ? "offline" : "live", r.mode());
        assertNotNull(r.connAck().p50Micros());
        assertNotNull(r.lastPending().maxMicros());
        assertNotNull(r.after().p99Micros());
        if (offline) {
            assertNull(r.oldClosed().p50Micros(), "nothing to close");
        } else {
            assertNotNull(r.oldClosed().p50Micros());
        }
        if (!offline && version == MqttVersion.MQTT_5) {
            assertEquals(6, r.toldTakenOver(), "every old connection was told DISCONNECT 0x8E");
        }
    }
}
