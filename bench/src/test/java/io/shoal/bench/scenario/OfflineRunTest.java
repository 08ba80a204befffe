package io.shoal.bench.scenario;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.OfflineResult;
import io.shoal.deploy.e2e.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The offline scenario against a real Shoal node (in memory), small: it accounts for every message. */
class OfflineRunTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static OfflineRun.Settings settings(String prefix, int subscribers, int publishers, long messages,
                                                boolean sharedTopic, boolean queue, boolean reconnect,
                                                MqttVersion version) {
        return new OfflineRun.Settings("shoal", "127.0.0.1", broker.port(), subscribers, publishers, messages,
                sharedTopic, 64, queue, reconnect, Duration.ZERO, Duration.ofSeconds(30), prefix,
                new ClientOptions(version, 60, 20), 2);
    }

    @Test
    void everyAcknowledgedMessageArrivesOnceAndInOrderAfterTheReconnect() throws Exception {
        // 301 messages from 2 publishers round robin over 5 sessions: uneven shares on purpose.
        OfflineResult r = new OfflineRun(settings("own-", 5, 2, 301, false, true, true,
                MqttVersion.MQTT_3_1_1)).run();
        OfflineResult.Burst burst = r.burst();
        assertEquals(301, burst.acknowledged());
        assertTrue(burst.acknowledgedPerSecond() > 0);
        assertEquals(burst.acknowledgedPerSecond(), burst.queuedPerSecond(), "each message goes to one session");
        assertTrue(burst.ackP50Micros() > 0 && burst.ackP50Micros() <= burst.ackMaxMicros());
        OfflineResult.Drain drain = r.drain();
        assertEquals(5, drain.reconnected());
        assertNotNull(drain.connAckP50Micros());
        assertEquals(301, drain.expected());
        assertEquals(301, drain.received());
        assertEquals(0, drain.lost());
        assertEquals(0, drain.duplicates());
        assertEquals(0, drain.outOfOrder());
        assertTrue(drain.seconds() > 0);
        assertFalse(r.failed());
    }

    @Test
    void aSharedTopicQueuesEachMessageForEverySessionOverMqtt5() throws Exception {
        // MQTT 5 sessions outlive their connection only with a Session Expiry Interval.
        OfflineResult r = new OfflineRun(settings("shared-", 3, 1, 100, true, true, true, MqttVersion.MQTT_5)).run();
        assertEquals(100, r.burst().acknowledged());
        assertEquals(3 * r.burst().acknowledgedPerSecond(), r.burst().queuedPerSecond(), 1e-6);
        assertEquals(300, r.drain().received());
        assertEquals(0, r.drain().lost());
        assertEquals(0, r.drain().outOfOrder());
        assertFalse(r.failed());
    }

    @Test
    void theHalvesRunApartAsAroundABrokerRestart() throws Exception {
        OfflineResult queued = new OfflineRun(settings("apart-", 2, 2, 50, false, true, false,
                MqttVersion.MQTT_3_1_1)).run();
        assertEquals(50, queued.burst().acknowledged());
        assertNull(queued.drain());

        OfflineResult drained = new OfflineRun(settings("apart-", 2, 2, 50, false, false, true,
                MqttVersion.MQTT_3_1_1)).run();
        assertNull(drained.burst());
        assertEquals(50, drained.drain().received());
        assertEquals(0, drained.drain().lost());
        assertEquals(0, drained.drain().duplicates());
        assertFalse(drained.failed());
    }

    @Test
    void aSingleMessageIsTimedFromItsOwnAcknowledgementAndDelivery() throws Exception {
        // Two of the three publishers have nothing to send; they must not distort the timings.
        OfflineResult r = new OfflineRun(settings("single-", 1, 3, 1, false, true, true,
                MqttVersion.MQTT_3_1_1)).run();
        assertEquals(1, r.burst().acknowledged());
        assertTrue(r.burst().acknowledgedPerSecond() <= 1e6 / r.burst().ackMaxMicros(),
                "one message cannot be acknowledged faster than its own latency");
        assertEquals(1, r.drain().received());
        assertTrue(r.drain().seconds() > 0, "drain " + r.drain().seconds());
    }
}
