package io.shoal.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.shoal.cluster.ClusterSettings;
import io.shoal.cluster.session.SessionSettings;
import io.shoal.node.delivery.ShareStrategy;
import io.shoal.node.protocol.MqttSettings;
import io.shoal.persistence.PersistenceMode;
import io.shoal.persistence.cassandra.CassandraSettings;

import java.io.File;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Loads shoal.conf (the defaults, every setting documented), an optional operator file on top, and
 * SHOAL_* environment variables on top of that; then validates every setting.
 */
public final class ShoalConfig {

    private static final String ROOT = "shoal";
    private static final String CONFIG_FILE_VARIABLE = "SHOAL_CONFIG_FILE";

    private final Config config;
    private final Map<String, String> env;

    private ShoalConfig(Config config, Map<String, String> env) {
        this.config = config;
        this.env = env;
    }

    /**
     * @param env      the environment (System.getenv() in production)
     * @param fileArg  an operator configuration file, or null (then SHOAL_CONFIG_FILE, if set)
     */
    public static ShoalConfig load(Map<String, String> env, String fileArg) {
        Config defaults = ConfigFactory.parseResources(ShoalConfig.class.getClassLoader(), "shoal.conf");
        String file = fileArg != null ? fileArg : env.get(CONFIG_FILE_VARIABLE);
        Config operator = ConfigFactory.empty();
        if (file != null) {
            File f = new File(file);
            if (!f.isFile()) {
                throw new ConfigurationException("configuration file " + file + " does not exist");
            }
            try {
                operator = ConfigFactory.parseFile(f);
            } catch (ConfigException e) {
                throw new ConfigurationException("configuration file " + file + " is not valid HOCON: " + e.getMessage());
            }
            rejectUnknown(operator, defaults);
        }
        Config fromEnv = ConfigFactory.empty();
        for (Map.Entry<String, ConfigValue> setting : defaults.getConfig(ROOT).entrySet()) {
            String path = ROOT + "." + setting.getKey();
            String value = env.get(variableFor(path));
            if (value != null) {
                fromEnv = fromEnv.withValue(path, ConfigValueFactory.fromAnyRef(value, "environment variable " + variableFor(path)));
            }
        }
        Config merged = fromEnv.withFallback(operator).withFallback(defaults);
        try {
            return new ShoalConfig(merged.resolve(), env);
        } catch (ConfigException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    /** The environment variable that overrides a setting: shoal.mqtt.max-inflight -> SHOAL_MQTT_MAX_INFLIGHT. */
    static String variableFor(String path) {
        return path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The whole configuration, including any akka section of the operator's file. */
    public Config config() {
        return config;
    }

    public ShoalSettings settings() {
        MqttSettings mqtt = new MqttSettings(
                intIn("shoal.mqtt.max-packet-size", 2, MqttSettings.PROTOCOL_MAX_PACKET_SIZE,
                        () -> (int) Math.min(Integer.MAX_VALUE, config.getBytes("shoal.mqtt.max-packet-size"))),
                intIn("shoal.mqtt.max-inflight", 1, 65_535),
                intIn("shoal.mqtt.max-queued-messages", 0, Integer.MAX_VALUE),
                intIn("shoal.mqtt.max-qos", 0, 2),
                bool("shoal.mqtt.queue-qos0-offline"),
                positiveDuration("shoal.mqtt.connect-timeout"),
                intIn("shoal.mqtt.receive-maximum", 1, 65_535),
                intIn("shoal.mqtt.topic-alias-maximum", 0, 65_535),
                bool("shoal.mqtt.outbound-topic-aliases"),
                sessionExpiry("shoal.mqtt.max-session-expiry"),
                (int) wholeSeconds("shoal.mqtt.server-keep-alive", 65_535),
                get("shoal.mqtt.response-information", () -> config.getString("shoal.mqtt.response-information")),
                shareStrategy(),
                positiveDuration("shoal.session.request-timeout"),
                journalUnacknowledgedAfter());
        SessionSettings session = new SessionSettings(
                mqtt.maxQueued(),
                mqtt.queueQos0Offline(),
                intIn("shoal.session.snapshot-every", 1, Integer.MAX_VALUE),
                positiveDuration("shoal.session.passivate-after"),
                positiveDuration("shoal.session.takeover-timeout"),
                positiveDuration("shoal.session.request-timeout"),
                positiveDuration("shoal.cluster.route-handover"));
        return new ShoalSettings(
                nonEmpty("shoal.mqtt.host"),
                intIn("shoal.mqtt.port", 0, 65_535),
                intIn("shoal.mqtt.io-threads", 0, 1024),
                mqtt,
                session,
                persistenceMode(),
                cassandra(),
                cluster(),
                intIn("shoal.health.port", -1, 65_535));
    }

    private ClusterSettings cluster() {
        String downing = nonEmpty("shoal.cluster.split-brain-resolver.strategy").trim();
        if (!ClusterSettings.DOWNING_STRATEGIES.contains(downing)) {
            throw invalid("shoal.cluster.split-brain-resolver.strategy", downing,
                    "must be one of: " + String.join(", ", ClusterSettings.DOWNING_STRATEGIES));
        }
        List<String> seeds = list("shoal.cluster.seed-nodes", "host:port");
        if (!seeds.isEmpty() && persistenceMode() == PersistenceMode.MEMORY) {
            throw invalid("shoal.cluster.seed-nodes", String.join(",", seeds), "a cluster needs shoal.persistence = "
                    + "cassandra: with memory persistence a session lives in one node's memory and cannot move");
        }
        return new ClusterSettings(nonEmpty("shoal.cluster.host"), intIn("shoal.cluster.port", 0, 65_535), seeds,
                downing, positiveDuration("shoal.cluster.split-brain-resolver.stable-after"));
    }

    private PersistenceMode persistenceMode() {
        String value = get("shoal.persistence", () -> config.getString("shoal.persistence"));
        try {
            return PersistenceMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("shoal.persistence", value, "must be one of: memory, cassandra");
        }
    }

    private CassandraSettings cassandra() {
        String strategy = nonEmpty("shoal.cassandra.replication-strategy");
        if (!strategy.equals("SimpleStrategy") && !strategy.equals("NetworkTopologyStrategy")) {
            throw invalid("shoal.cassandra.replication-strategy", strategy, "must be SimpleStrategy or NetworkTopologyStrategy");
        }
        List<String> dcFactors = list("shoal.cassandra.data-center-replication-factors", "dc:factor");
        if (strategy.equals("NetworkTopologyStrategy") && dcFactors.isEmpty()) {
            throw invalid("shoal.cassandra.data-center-replication-factors", "",
                    "must name at least one data centre (dc1:3) with NetworkTopologyStrategy");
        }
        Duration minBackoff = positiveDuration("shoal.cassandra.retry-min-backoff");
        Duration maxBackoff = positiveDuration("shoal.cassandra.retry-max-backoff");
        if (maxBackoff.compareTo(minBackoff) < 0) {
            throw invalid("shoal.cassandra.retry-max-backoff", maxBackoff, "must not be below shoal.cassandra.retry-min-backoff");
        }
        return new CassandraSettings(
                list("shoal.cassandra.contact-points", "host:port"),
                nonEmpty("shoal.cassandra.local-datacenter"),
                keyspace(),
                get("shoal.cassandra.username", () -> config.getString("shoal.cassandra.username")),
                get("shoal.cassandra.password", () -> config.getString("shoal.cassandra.password")),
                consistency("shoal.cassandra.write-consistency"),
                consistency("shoal.cassandra.read-consistency"),
                bool("shoal.cassandra.create-schema"),
                new CassandraSettings.Replication(strategy, intIn("shoal.cassandra.replication-factor", 1, 100), dcFactors),
                minBackoff,
                maxBackoff);
    }

    /** A comma-separated list whose items all look like "name:number" (host:port, dc:factor). */
    private List<String> list(String path, String shape) {
        String value = get(path, () -> config.getString(path));
        List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
        for (String item : items) {
            int colon = item.lastIndexOf(':');
            if (colon <= 0 || !item.substring(colon + 1).matches("\\d{1,5}")) {
                throw invalid(path, value, "must be a comma-separated list of " + shape);
            }
        }
        if (items.isEmpty() && path.equals("shoal.cassandra.contact-points")) {
            throw invalid(path, value, "must name at least one Cassandra node as host:port");
        }
        return items;
    }

    private String keyspace() {
        String value = nonEmpty("shoal.cassandra.keyspace");
        if (!value.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}")) {
            throw invalid("shoal.cassandra.keyspace", value, "must be a letter then up to 47 letters, digits or underscores");
        }
        return value;
    }

    private String consistency(String path) {
        String value = nonEmpty(path).trim().toUpperCase(Locale.ROOT);
        if (!CassandraSettings.CONSISTENCY_LEVELS.contains(value)) {
            throw invalid(path, value, "must be one of " + String.join(", ", CassandraSettings.CONSISTENCY_LEVELS));
        }
        return value;
    }

    /** "never", or a duration in whole seconds below 0xFFFFFFFF. */
    private long sessionExpiry(String path) {
        if ("never".equals(get(path, () -> config.getValue(path).unwrapped().toString()))) {
            return MqttSettings.NEVER_EXPIRES;
        }
        return wholeSeconds(path, MqttSettings.NEVER_EXPIRES - 1);
    }

    private long wholeSeconds(String path, long maxSeconds) {
        Duration value = get(path, () -> config.getDuration(path));
        if (value.isNegative() || value.toSeconds() > maxSeconds || value.toNanos() % 1_000_000_000L != 0) {
            throw invalid(path, config.getValue(path).unwrapped(),
                    "must be a duration in whole seconds from 0s to " + maxSeconds + "s");
        }
        return value.toSeconds();
    }

    private ShareStrategy shareStrategy() {
        String path = "shoal.mqtt.share-strategy";
        String value = get(path, () -> config.getString(path));
        try {
            return ShareStrategy.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw invalid(path, value, "must be one of: round-robin, random, sticky, hash-topic, hash-client-id");
        }
    }

    private int intIn(String path, int min, int max) {
        return intIn(path, min, max, () -> config.getInt(path));
    }

    private int intIn(String path, int min, int max, Supplier<Integer> read) {
        int value = get(path, read);
        if (value < min || value > max) {
            throw invalid(path, value, "must be from " + min + " to " + max);
        }
        return value;
    }

    private boolean bool(String path) {
        return get(path, () -> config.getBoolean(path));
    }

    /** Only sessions kept in Cassandra survive their node, so only then do publishers wait for them. */
    private Duration journalUnacknowledgedAfter() {
        String path = "shoal.session.journal-unacknowledged-after";
        Duration value = get(path, () -> config.getDuration(path));
        if (value.isNegative()) {
            throw invalid(path, value, "must be a duration such as 1s, or 0s for off");
        }
        return persistenceMode() == PersistenceMode.CASSANDRA ? value : Duration.ZERO;
    }

    private Duration positiveDuration(String path) {
        Duration value = get(path, () -> config.getDuration(path));
        if (value.isZero() || value.isNegative()) {
            throw invalid(path, value, "must be a positive duration such as 10s");
        }
        return value;
    }

    private String nonEmpty(String path) {
        String value = get(path, () -> config.getString(path));
        if (value.isBlank()) {
            throw invalid(path, value, "must not be empty");
        }
        return value;
    }

    private <T> T get(String path, Supplier<T> read) {
        try {
            return read.get();
        } catch (ConfigException e) {
            Object raw = config.hasPath(path) ? config.getValue(path).unwrapped() : null;
            throw invalid(path, raw, "has the wrong type (" + e.getMessage() + ")");
        }
    }

    private ConfigurationException invalid(String path, Object value, String rule) {
        String source = env.containsKey(variableFor(path))
                ? " (from environment variable " + variableFor(path) + ")" : "";
        return new ConfigurationException("invalid setting " + path + source + " = '" + value + "': " + rule);
    }

    private static void rejectUnknown(Config operator, Config defaults) {
        if (!operator.hasPath(ROOT)) {
            return;
        }
        for (Map.Entry<String, ConfigValue> setting : operator.getConfig(ROOT).entrySet()) {
            String path = ROOT + "." + setting.getKey();
            if (!defaults.hasPath(path)) {
                throw new ConfigurationException("unknown setting " + path + " in " + setting.getValue().origin().description());
            }
        }
    }
}
