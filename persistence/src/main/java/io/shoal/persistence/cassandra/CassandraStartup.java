package io.shoal.persistence.cassandra;

import akka.NotUsed;
import akka.actor.ActorSystem;
import akka.persistence.cassandra.query.javadsl.CassandraReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Source;
import akka.stream.alpakka.cassandra.javadsl.CassandraSession;
import akka.stream.alpakka.cassandra.javadsl.CassandraSessionRegistry;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.session.Publication;
import io.shoal.persistence.retained.CassandraRetainedStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Gets a node's Cassandra stores going before it serves clients: waits until Cassandra answers
 * (reporting it, with back-off, for as long as it does not), creates the schema when allowed, and
 * loads the retained messages. It never gives up and never falls back to memory: a node configured
 * for Cassandra either has it or is not ready.
 */
public final class CassandraStartup {

    private static final Logger log = LoggerFactory.getLogger(CassandraStartup.class);

    private final ActorSystem system;
    private final CassandraSettings settings;

    public CassandraStartup(ActorSystem system, CassandraSettings settings) {
        this.system = system;
        this.settings = settings;
    }

    /** The session akka-persistence-cassandra uses; Shoal's own tables share it. */
    public CassandraSession session() {
        return CassandraSessionRegistry.get(system).sessionFor(CassandraSchema.PLUGIN_PATH);
    }

    /** Every persistence id in the journal, read once (for restoring offline sessions at start). */
    public Source<String, NotUsed> persistenceIds() {
        return PersistenceQuery.get(system)
                .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier())
                .currentPersistenceIds();
    }

    /**
     * Blocks until the stores are usable, then returns the retained-message store with every stored
     * retained message handed to {@code restore}.
     */
    public CassandraRetainedStore await(BrokerMetrics metrics, Consumer<Publication> restore) throws InterruptedException {
        CassandraSession session = session();
        Duration wait = settings.retryMinBackoff();
        long started = System.nanoTime();
        while (true) {
            try {
                // The driver keeps reconnecting on its own (reconnect-on-init); this only bounds how
                // long to wait before saying so again.
                within(session.underlying(), wait);
                if (settings.createSchema()) {
                    within(CassandraSchema.apply(system, session, settings.keyspace()), wait.plusSeconds(30));
                }
                CassandraRetainedStore store = new CassandraRetainedStore(system, session, settings.keyspace(), metrics);
                int loaded = within(store.loadAll(restore), wait.plusSeconds(30));
                log.info("Cassandra at {} is ready: {} retained messages loaded, {} ms after start", settings.describe(),
                        loaded, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return store;
            } catch (TimeoutException e) {
                log.warn("Cassandra at {} has not answered for {} ms; still trying. The node is not ready and accepts no "
                        + "clients until it does", settings.describe(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            } catch (ExecutionException e) {
                log.warn("Cassandra at {} is not usable: {}{}; retrying in {} s. The node is not ready and accepts no clients "
                        + "until it is", settings.describe(), e.getCause(), hint(e.getCause()), wait.toSeconds());
                Thread.sleep(wait.toMillis());
            }
            wait = longer(wait);
        }
    }

    /**
     * Runs a start-up step that reads Cassandra until it succeeds, retrying with the same back-off;
     * the node is not ready meanwhile.
     */
    public <T> T untilDone(String what, Supplier<CompletionStage<T>> step) throws InterruptedException {
        Duration wait = settings.retryMinBackoff();
        while (true) {
            try {
                return step.get().toCompletableFuture().get();
            } catch (ExecutionException e) {
                log.warn("{} from Cassandra at {} failed: {}; retrying in {} ms. The node is not ready and accepts no "
                        + "clients until it is done", what, settings.describe(), e.getCause(), wait.toMillis());
                Thread.sleep(wait.toMillis());
                wait = longer(wait);
            }
        }
    }

    private Duration longer(Duration wait) {
        Duration doubled = wait.multipliedBy(2);
        return doubled.compareTo(settings.retryMaxBackoff()) > 0 ? settings.retryMaxBackoff() : doubled;
    }

    private String hint(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        if (!settings.createSchema() && (message.contains("does not exist") || message.contains("unconfigured table"))) {
            return " (create the schema with `java -jar shoal.jar schema apply`, or set shoal.cassandra.create-schema = true)";
        }
        return "";
    }

    private static <T> T within(CompletionStage<T> stage, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
