package io.shoal.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.persistence.cassandra.CassandraSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class PersistenceModeTest {

    @Test
    void memoryModeUsesTheInMemoryJournalAndThisModulesSnapshotStore() {
        Config reference = ConfigFactory.load();

        Config akka = PersistenceMode.MEMORY.akkaConfig(reference, null);

        assertEquals("akka.persistence.journal.inmem", akka.getString("akka.persistence.journal.plugin"));
        String snapshotStore = akka.getString("akka.persistence.snapshot-store.plugin");
        assertEquals("shoal-internal.memory-snapshot-store", snapshotStore);
        assertEquals(InMemorySnapshotStore.class.getName(), reference.getString(snapshotStore + ".class"));
    }

    @Test
    void cassandraModeUsesThePluginWithTheOperatorsContactPointsKeyspaceAndConsistency() {
        Config reference = ConfigFactory.load();
        CassandraSettings settings = new CassandraSettings(List.of("10.0.0.1:9042", "10.0.0.2:9043"), "dc-east", "fleet",
                "", "", "LOCAL_QUORUM", "ONE", true, new CassandraSettings.Replication("SimpleStrategy", 3, List.of()),
                Duration.ofSeconds(2), Duration.ofSeconds(20));

        Config akka = PersistenceMode.CASSANDRA.akkaConfig(reference, settings).withFallback(reference).resolve();

        assertEquals("akka.persistence.cassandra.journal", akka.getString("akka.persistence.journal.plugin"));
        assertEquals("akka.persistence.cassandra.snapshot", akka.getString("akka.persistence.snapshot-store.plugin"));
        assertEquals(List.of("10.0.0.1:9042", "10.0.0.2:9043"), akka.getStringList("datastax-java-driver.basic.contact-points"));
        assertEquals("dc-east", akka.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
        assertEquals("fleet", akka.getString("akka.persistence.cassandra.journal.keyspace"));
        assertEquals("fleet", akka.getString("akka.persistence.cassandra.snapshot.keyspace"));
        assertEquals(3, akka.getInt("akka.persistence.cassandra.journal.replication-factor"));
        // Journal and snapshots are written and read through the profiles carrying the operator's levels.
        String write = akka.getString("akka.persistence.cassandra.journal.write-profile");
        String read = akka.getString("akka.persistence.cassandra.snapshot.read-profile");
        assertEquals(write, akka.getString("akka.persistence.cassandra.snapshot.write-profile"));
        assertEquals(read, akka.getString("akka.persistence.cassandra.journal.read-profile"));
        assertEquals("LOCAL_QUORUM", akka.getString("datastax-java-driver.profiles." + write + ".basic.request.consistency"));
        assertEquals("ONE", akka.getString("datastax-java-driver.profiles." + read + ".basic.request.consistency"));
        assertFalse(akka.getBoolean("akka.persistence.cassandra.journal.tables-autocreate"), "Shoal creates the schema itself");
        assertFalse(akka.hasPath("datastax-java-driver.advanced.auth-provider.username"), "no credentials configured");
        assertEquals(Duration.ofSeconds(20), akka.getDuration("datastax-java-driver.advanced.reconnection-policy.max-delay"));
    }

    @Test
    void cassandraCredentialsGoToThePlainTextAuthProvider() {
        CassandraSettings settings = new CassandraSettings(List.of("127.0.0.1:9042"), "datacenter1", "shoal", "shoal-user",
                "secret", "QUORUM", "QUORUM", true, new CassandraSettings.Replication("SimpleStrategy", 1, List.of()),
                Duration.ofSeconds(1), Duration.ofSeconds(30));

        Config akka = settings.akkaConfig();

        assertEquals("PlainTextAuthProvider", akka.getString("datastax-java-driver.advanced.auth-provider.class"));
        assertEquals("shoal-user", akka.getString("datastax-java-driver.advanced.auth-provider.username"));
        assertEquals("secret", akka.getString("datastax-java-driver.advanced.auth-provider.password"));
    }
}
