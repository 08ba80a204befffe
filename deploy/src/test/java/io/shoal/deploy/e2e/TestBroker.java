package io.shoal.deploy.e2e;

import io.shoal.deploy.ShoalConfig;
import io.shoal.deploy.ShoalNode;
import io.shoal.node.metrics.BrokerMetrics;

import java.util.HashMap;
import java.util.Map;

/**
 * A broker node for end-to-end tests, configured exactly as in production (shoal.conf plus SHOAL_*
 * variables), on free loopback ports.
 */
public final class TestBroker implements AutoCloseable {

    private final ShoalNode node;

    private TestBroker(ShoalNode node) {
        this.node = node;
    }

    public static TestBroker start() {
        return start(Map.of());
    }

    /** @param env extra SHOAL_* settings, e.g. SHOAL_MQTT_MAX_QOS=1 */
    public static TestBroker start(Map<String, String> env) {
        Map<String, String> all = new HashMap<>();
        all.put("SHOAL_MQTT_HOST", "127.0.0.1");
        all.put("SHOAL_MQTT_PORT", "0");
        all.put("SHOAL_CLUSTER_PORT", "0");
        all.put("SHOAL_MQTT_IO_THREADS", "2");
        all.putAll(env);
        ShoalConfig config = ShoalConfig.load(all, null);
        try {
            return new TestBroker(ShoalNode.start(config.settings(), config.config()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return node.mqttAddress().getPort();
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    public BrokerMetrics metrics() {
        return node.metrics();
    }

    @Override
    public void close() {
        node.close();
    }
}
