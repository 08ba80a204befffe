package io.shoal.persistence.retained;

import akka.actor.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.stream.Materializer;
import akka.stream.alpakka.cassandra.javadsl.CassandraSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.shoal.node.delivery.RetainedStore;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;
import io.shoal.persistence.cassandra.CassandraSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Retained messages in Shoal's own Cassandra table, one row per topic, written through the session
 * akka-persistence-cassandra uses. Writes are asynchronous (the publisher's acknowledgement waits
 * for them through its receipt); each carries a write timestamp from a
 * strictly increasing clock so that, for one topic, the last retained PUBLISH wins in Cassandra as
 * it does in the node's index even if two writes overtake each other. Message expiry becomes the
 * row's TTL.
 */
public final class CassandraRetainedStore implements RetainedStore {

    private static final Logger log = LoggerFactory.getLogger(CassandraRetainedStore.class);

    private final ActorSystem system;
    private final CassandraSession session;
    private final String keyspace;
    private final Serialization serialization;
    private final BrokerMetrics metrics;
    private final AtomicLong lastMicros = new AtomicLong();
    private final CompletionStage<PreparedStatement> insert;
    private final CompletionStage<PreparedStatement> delete;

    public CassandraRetainedStore(ActorSystem system, CassandraSession session, String keyspace, BrokerMetrics metrics) {
        this.system = system;
        this.session = session;
        this.keyspace = keyspace;
        this.serialization = SerializationExtension.get(system);
        this.metrics = metrics;
        String table = keyspace + "." + CassandraSchema.RETAINED_TABLE;
        this.insert = session.prepare("INSERT INTO " + table
                + " (topic, ser_id, ser_manifest, message) VALUES (?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?");
        this.delete = session.prepare("DELETE FROM " + table + " USING TIMESTAMP ? WHERE topic = ?");
    }

    @Override
    public void save(Publication publication, StorageReceipt receipt) {
        if (receipt != null) {
            receipt.expectStore();
        }
        long micros = nextMicros();
        long now = System.currentTimeMillis();
        CompletionStage<? extends Statement<?>> statement;
        if (publication.payload().length == 0 || publication.expired(now)) {
            statement = delete.thenApply(p -> p.bind(micros, publication.topic()));
        } else {
            StoredRetainedMessage stored = new StoredRetainedMessage(publication);
            Serializer serializer = serialization.findSerializerFor(stored);
            long expiresAt = publication.properties().expiresAtMillis();
            int ttlSeconds = expiresAt == 0 ? 0 : (int) Math.max(1, (expiresAt - now + 999) / 1000);
            statement = insert.thenApply(p -> p.bind(publication.topic(), serializer.identifier(),
                    Serializers.manifestFor(serializer, stored), ByteBuffer.wrap(serializer.toBinary(stored)),
                    ttlSeconds, micros));
        }
        statement.thenCompose(s -> session.executeWrite(s.setExecutionProfileName(CassandraSchema.WRITE_PROFILE)))
                .whenComplete((done, failure) -> {
                    if (failure == null) {
                        if (receipt != null) {
                            receipt.stored();
                        }
                        return;
                    }
                    metrics.increment(Counter.RETAINED_STORE_FAILED);
                    log.warn("Retained message of topic '{}' not written to Cassandra: {}", publication.topic(),
                            failure.toString());
                    if (receipt != null) {
                        receipt.failed();
                    }
                });
    }

    /** Reads every stored retained message into {@code into}; completes with how many there were. */
    public CompletionStage<Integer> loadAll(Consumer<Publication> into) {
        AtomicInteger count = new AtomicInteger();
        long now = System.currentTimeMillis();
        Statement<?> select = SimpleStatement.newInstance("SELECT ser_id, ser_manifest, message FROM " + keyspace + "."
                + CassandraSchema.RETAINED_TABLE).setExecutionProfileName(CassandraSchema.READ_PROFILE);
        return session.select(select)
                .runForeach(row -> {
                    Publication publication = read(row);
                    if (!publication.expired(now)) {
                        into.accept(publication);
                        count.incrementAndGet();
                    }
                }, Materializer.matFromSystem(system))
                .thenApply(done -> count.get());
    }

    private Publication read(Row row) {
        ByteBuffer buffer = row.getByteBuffer("message");
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return ((StoredRetainedMessage) serialization.deserialize(bytes, row.getInt("ser_id"),
                row.getString("ser_manifest")).get()).publication();
    }

    /** Microseconds since the epoch, strictly increasing across calls. */
    private long nextMicros() {
        long now = System.currentTimeMillis() * 1000;
        return lastMicros.updateAndGet(last -> Math.max(now, last + 1));
    }
}
