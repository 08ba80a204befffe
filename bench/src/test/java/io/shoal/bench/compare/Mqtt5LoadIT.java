package io.shoal.bench.compare;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.TrafficResult;
import io.shoal.bench.scenario.Topology;
import io.shoal.bench.scenario.TrafficRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator speaking MQTT 5, against HiveMQ CE (Shoal refuses MQTT 5 until it implements
 * it): CONNECT, SUBSCRIBE and the QoS 1/2 flows with MQTT 5 acknowledgements.
 */
class Mqtt5LoadIT {

    @Test
    void pairsOverMqtt5AtQos1And2LoseNothing(@TempDir Path work) throws Exception {
        PeerBroker.Paths paths = new PeerBroker.Paths(Path.of("../deploy/target/shoal.jar"), "mosquitto",
                Path.of("peers/hivemq/target/peer-hivemq.jar"), Path.of("unused"), work);
        try (BrokerProcessHandle hivemq = PeerBroker.HIVEMQ.start(19993, paths, List.of("-Xmx512m"))) {
            for (int qos : new int[] {1, 2}) {
                TrafficResult r = new TrafficRun(new Topology.Pairs("v5/" + qos, 5), new TrafficRun.Settings("hivemq",
                        "127.0.0.1", hivemq.port(), qos, 100, 500, Duration.ofMillis(300), Duration.ofSeconds(1),
                        10_000, new ClientOptions(MqttVersion.MQTT_5, 60, 20), 2, hivemq.process().pid())).run();
                assertTrue(r.sent() > 300, "sent " + r.sent());
                assertEquals(0, r.lost());
                assertEquals(0, r.duplicates());
            }
        }
    }
}
