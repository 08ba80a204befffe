package io.shoal.deploy.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.deploy.ShoalConfig;
import io.shoal.deploy.ShoalNode;
import io.shoal.node.auth.Authenticator;
import io.shoal.node.metrics.BrokerMetrics;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.HashMap;
import java.util.Map;

/**
 * A broker node for end-to-end tests, configured exactly as in production (shoal.conf plus SHOAL_*
 * variables), on free loopback ports. Either a JUnit extension on a static field, one node for the
 * whole class ({@code @RegisterExtension static final TestBroker broker = new TestBroker();}), or
 * started and closed by a test itself ({@link #start(Map)}).
 */
public final class TestBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> env;
    private final Authenticator authenticator;
    private final Config overrides;
    private ShoalNode node;

    public TestBroker() {
        this(Map.of());
    }

    /** @param env extra SHOAL_* settings, e.g. SHOAL_MQTT_MAX_QOS=1 */
    public TestBroker(Map<String, String> env) {
        this(env, Authenticator.ALLOW_ALL);
    }

    /** A broker whose clients are authenticated by {@code authenticator}. */
    public TestBroker(Map<String, String> env, Authenticator authenticator) {
        this(env, authenticator, ConfigFactory.empty());
    }

    /** A broker with test-only configuration on top of its own, such as {@link GatedJournal#CONFIG}. */
    public TestBroker(Map<String, String> env, Config overrides) {
        this(env, Authenticator.ALLOW_ALL, overrides);
    }

    private TestBroker(Map<String, String> env, Authenticator authenticator, Config overrides) {
        this.env = env;
        this.authenticator = authenticator;
        this.overrides = overrides;
    }

    public static TestBroker start() {
        return start(Map.of());
    }

    public static TestBroker start(Map<String, String> env) {
        TestBroker broker = new TestBroker(env);
        broker.startNode();
        return broker;
    }

    /** Started with test-only Akka configuration on top (e.g. faster gossip). */
    public static TestBroker start(Map<String, String> env, Config overrides) {
        TestBroker broker = new TestBroker(env, overrides);
        broker.startNode();
        return broker;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startNode();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void startNode() {
        Map<String, String> all = new HashMap<>();
        all.put("SHOAL_MQTT_HOST", "127.0.0.1");
        all.put("SHOAL_MQTT_PORT", "0");
        all.put("SHOAL_CLUSTER_PORT", "0");
        all.put("SHOAL_HEALTH_PORT", "0");
        all.put("SHOAL_MQTT_IO_THREADS", "2");
        all.putAll(env);
        ShoalConfig config = ShoalConfig.load(all, null);
        try {
            node = ShoalNode.start(config.settings(), overrides.withFallback(config.config()), authenticator);
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

    public ShoalNode node() {
        return node;
    }

    public BrokerMetrics metrics() {
        return node.metrics();
    }

    @Override
    public void close() {
        node.close();
    }
}
