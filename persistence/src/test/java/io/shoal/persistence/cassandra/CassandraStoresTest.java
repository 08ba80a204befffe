package io.shoal.persistence.cassandra;

import akka.actor.ActorSystem;
import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.UserProperty;
import io.shoal.persistence.PersistenceMode;
import io.shoal.persistence.retained.CassandraRetainedStore;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up against a real Cassandra, the schema, and the retained-message table. */
class CassandraStoresTest {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    private final List<ActorSystem> systems = new ArrayList<>();
    private final BrokerMetrics metrics = new BrokerMetrics();

    @AfterEach
    void terminate() {
        systems.forEach(system -> system.terminate());
    }

    private CassandraSettings settings(String keyspace, boolean createSchema) {
        return new CassandraSettings(List.of(cassandra.contactPoint()), cassandra.localDatacenter(), keyspace, "", "",
                "QUORUM", "QUORUM", createSchema, new CassandraSettings.Replication("SimpleStrategy", 1, List.of()),
                Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    private ActorSystem system(CassandraSettings settings) {
        Config reference = ConfigFactory.load();
        ActorSystem system = ActorSystem.create("cassandra-stores", ConfigFactory.parseString("akka.actor.provider = local")
                .withFallback(PersistenceMode.CASSANDRA.akkaConfig(reference, settings)).withFallback(reference).resolve());
        systems.add(system);
        return system;
    }

    /** A node's start: waits for Cassandra, creates the schema, and loads what is stored. */
    private Map<String, Publication> start(CassandraSettings settings) throws InterruptedException {
        Map<String, Publication> loaded = new TreeMap<>();
        new CassandraStartup(system(settings), settings).await(metrics, p -> loaded.put(p.topic(), p));
        return loaded;
    }

    private CassandraRetainedStore store(CassandraSettings settings) throws InterruptedException {
        return new CassandraStartup(system(settings), settings).await(metrics, p -> { });
    }

    /** Saves as the publish path does and waits until the receipt says the write is done. */
    private static void save(CassandraRetainedStore store, Publication publication) throws Exception {
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        StorageReceipt receipt = new StorageReceipt(r -> written.complete(r.succeeded()));
        store.save(publication, receipt);
        if (receipt.seal()) {
            written.complete(receipt.succeeded());
        }
        assertTrue(written.get(20, TimeUnit.SECONDS), "written to Cassandra");
    }

    private static Publication retained(String topic, String payload) {
        return new Publication(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true);
    }

    @Test
    void retainedMessagesAreSetReplacedAndDeletedAndLoadedAtTheNextStart() throws Exception {
        CassandraSettings settings = settings(cassandra.keyspace(), true);
        CassandraRetainedStore store = store(settings);
        MessageProperties properties = new MessageProperties(1, 0, "text/plain", "replies/here", new byte[] {1, 2},
                List.of(new UserProperty("site", "north")));
        save(store, retained("a/1", "first"));
        save(store, retained("a/1", "second"));
        save(store, retained("a/2", "kept").withProperties(properties));
        save(store, retained("a/3", "deleted"));
        save(store, retained("a/3", ""));

        // Each write was acknowledged through its receipt: the next start finds all of them.
        Map<String, Publication> loaded = start(settings);
        assertEquals(java.util.Set.of("a/1", "a/2"), loaded.keySet());
        assertEquals("second", new String(loaded.get("a/1").payload(), StandardCharsets.UTF_8));
        Publication kept = loaded.get("a/2");
        assertEquals("text/plain", kept.properties().contentType());
        assertEquals("replies/here", kept.properties().responseTopic());
        assertArrayEquals(new byte[] {1, 2}, kept.properties().correlationData());
        assertEquals(List.of(new UserProperty("site", "north")), kept.properties().userProperties());
        assertTrue(kept.retain());
        assertEquals(0, metrics.get(Counter.RETAINED_STORE_FAILED));
    }

    @Test
    void theLastOfManyQuickWritesToOneTopicWins() throws Exception {
        CassandraSettings settings = settings(cassandra.keyspace() + "_order", true);
        CassandraRetainedStore store = store(settings);
        for (int i = 0; i < 500; i++) {
            store.save(retained("burst", "v" + i), null); // not waited for: they may overtake each other
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Publication p = start(settings).get("burst");
            return p != null && new String(p.payload(), StandardCharsets.UTF_8).equals("v499");
        });
    }

    @Test
    void expiredRetainedMessagesAreNotLoaded() throws Exception {
        CassandraSettings settings = settings(cassandra.keyspace() + "_expiry", true);
        CassandraRetainedStore store = store(settings);
        long now = System.currentTimeMillis();
        save(store, retained("short", "soon gone").withProperties(MessageProperties.NONE.expiringAt(now + 1000)));
        save(store, retained("long", "stays").withProperties(MessageProperties.NONE.expiringAt(now + 3_600_000)));

        await().atMost(Duration.ofSeconds(20)).until(() -> !start(settings).containsKey("short"));
        assertEquals(now + 3_600_000, start(settings).get("long").properties().expiresAtMillis());
    }

    @Test
    void withoutSchemaCreationTheNodeWaitsUntilAnOperatorAppliesTheSchema() throws Exception {
        CassandraSettings settings = settings(cassandra.keyspace() + "_managed", false);
        CompletableFuture<CassandraRetainedStore> started = CompletableFuture.supplyAsync(() -> {
            try {
                return store(settings);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // It retries (the log says why, naming `schema apply`) and does not start meanwhile.
        assertThrows(TimeoutException.class, () -> started.get(3, TimeUnit.SECONDS), "started without a schema");

        ActorSystem operator = system(settings);
        CassandraSchema.apply(operator, new CassandraStartup(operator, settings).session(), settings.keyspace())
                .toCompletableFuture().get(60, TimeUnit.SECONDS);

        CassandraRetainedStore store = started.get(60, TimeUnit.SECONDS);
        save(store, retained("managed", "works"));
        assertTrue(start(settings).containsKey("managed"));
    }

    @Test
    void schemaStatementsCreateEveryTableInTheConfiguredKeyspace() throws Exception {
        CassandraSettings settings = settings(cassandra.keyspace() + "_tables", true);
        start(settings);
        try (CqlSession session = cassandra.openSession()) {
            List<String> tables = new ArrayList<>();
            session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", settings.keyspace())
                    .forEach(row -> tables.add(row.getString("table_name")));
            assertTrue(tables.containsAll(List.of("messages", "snapshots", "all_persistence_ids", "metadata",
                    CassandraSchema.RETAINED_TABLE)), tables.toString());
        }
    }
}
