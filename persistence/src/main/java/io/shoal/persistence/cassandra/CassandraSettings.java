package io.shoal.persistence.cassandra;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a node reaches Cassandra and what it stores there.
 *
 * @param contactPoints      host:port of one or more Cassandra nodes
 * @param localDatacenter    the data centre the driver treats as local (must match Cassandra's)
 * @param keyspace           holds the session journals, snapshots and retained messages
 * @param username           empty for no authentication
 * @param writeConsistency   consistency level of every write (journal, snapshots, retained messages)
 * @param readConsistency    consistency level of every read
 * @param createSchema       create the keyspace and tables at start if they are missing
 * @param replication        the keyspace's replication, used only when the node creates it
 * @param retryMinBackoff    first wait before retrying an unreachable Cassandra at start
 * @param retryMaxBackoff    longest wait between those retries
 */
public record CassandraSettings(List<String> contactPoints, String localDatacenter, String keyspace, String username,
                                String password, String writeConsistency, String readConsistency, boolean createSchema,
                                Replication replication, Duration retryMinBackoff, Duration retryMaxBackoff) {

    /** Keyspace replication: SimpleStrategy with a factor, or NetworkTopologyStrategy with a factor per data centre. */
    public record Replication(String strategy, int factor, List<String> dataCenterFactors) {
    }

    /** The consistency levels a read or write may ask for (the driver's, without the serial ones). */
    public static final List<String> CONSISTENCY_LEVELS = Arrays.stream(DefaultConsistencyLevel.values())
            .filter(level -> !level.isSerial()).map(Enum::name).toList();

    /** Driver profiles for Shoal's reads and writes; the journal, snapshot store and retained table share them. */
    static final String WRITE_PROFILE = "shoal-write";
    static final String READ_PROFILE = "shoal-read";

    /** The DataStax driver and akka-persistence-cassandra settings these settings stand for. */
    public Config akkaConfig() {
        Map<String, Object> settings = new HashMap<>();
        String driver = "datastax-java-driver.";
        settings.put(driver + "basic.contact-points", contactPoints);
        settings.put(driver + "basic.load-balancing-policy.local-datacenter", localDatacenter);
        settings.put(driver + "profiles." + WRITE_PROFILE + ".basic.request.consistency", writeConsistency);
        settings.put(driver + "profiles." + READ_PROFILE + ".basic.request.consistency", readConsistency);
        // The driver's own reconnection (also at start, reconnect-on-init) follows Shoal's back-off.
        settings.put(driver + "advanced.reconnection-policy.base-delay", retryMinBackoff.toMillis() + "ms");
        settings.put(driver + "advanced.reconnection-policy.max-delay", retryMaxBackoff.toMillis() + "ms");
        if (!username.isEmpty()) {
            settings.put(driver + "advanced.auth-provider.class", "PlainTextAuthProvider");
            settings.put(driver + "advanced.auth-provider.username", username);
            settings.put(driver + "advanced.auth-provider.password", password);
        }
        String plugin = "akka.persistence.cassandra.";
        settings.put(plugin + "journal.keyspace", keyspace);
        settings.put(plugin + "snapshot.keyspace", keyspace);
        for (String store : List.of("journal.", "snapshot.")) {
            settings.put(plugin + store + "replication-strategy", replication.strategy());
            settings.put(plugin + store + "replication-factor", replication.factor());
            settings.put(plugin + store + "data-center-replication-factors", replication.dataCenterFactors());
        }
        return ConfigFactory.parseMap(settings);
    }

    /** For log lines: where Cassandra is expected. */
    public String describe() {
        return String.join(",", contactPoints) + " (data centre " + localDatacenter + ", keyspace " + keyspace + ")";
    }
}
