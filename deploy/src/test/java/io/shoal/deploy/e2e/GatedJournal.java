package io.shoal.deploy.e2e;

import akka.dispatch.Futures;
import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.japi.AsyncWriteJournal;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An in-memory journal whose writes a test can hold back or fail, to see what clients are told while
 * a message is being stored and when storing fails. A broker uses it when started with {@link #CONFIG}.
 * Its switches and events are static (Akka creates the plugin), so one broker at a time may use it.
 */
public final class GatedJournal extends AsyncWriteJournal {

    /** Replaces the journal of the memory persistence mode. */
    public static final Config CONFIG = ConfigFactory.parseString("""
            shoal-internal.memory-persistence.akka.persistence.journal.plugin = "shoal-test.gated-journal"
            shoal-test.gated-journal {
              class = "io.shoal.deploy.e2e.GatedJournal"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
            """);

    private static final Predicate<String> NONE = persistenceId -> false;
    private static final Predicate<String> ALL = persistenceId -> true;

    /** The persistence ids whose writes fail, and those whose writes wait for {@link #gate}. */
    private static volatile Predicate<String> failing = NONE;
    private static volatile Predicate<String> held = ALL;
    private static volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    private static final AtomicInteger heldWrites = new AtomicInteger();
    /** Per persistence id, completed when its writes start to fail: those held back then fail too. */
    private static final Map<String, CompletableFuture<Void>> failures = new ConcurrentHashMap<>();

    private static final Map<String, NavigableMap<Long, PersistentRepr>> journal = new ConcurrentHashMap<>();
    private static final Map<String, Long> highest = new ConcurrentHashMap<>();

    /** Writes fail from now on (the journal is down), until {@link #reset()}. */
    public static void failWrites() {
        failing = ALL;
    }

    /**
     * Writes of {@code persistenceId} fail from now on, those held back included, until {@link #reset()};
     * others are stored.
     */
    public static void failWritesFor(String persistenceId) {
        failing = persistenceId::equals;
        failure(persistenceId).complete(null);
    }

    /** Writes are neither stored nor confirmed until {@link #reset()}. */
    public static void holdWrites() {
        holdWrites(ALL);
    }

    /** Writes of {@code persistenceIds} are neither stored nor confirmed until {@link #reset()}; others are. */
    public static void holdWritesFor(String... persistenceIds) {
        holdWrites(Set.of(persistenceIds)::contains);
    }

    private static void holdWrites(Predicate<String> persistenceIds) {
        heldWrites.set(0);
        held = persistenceIds;
        gate = new CompletableFuture<>();
    }

    /** Writes held back since {@link #holdWrites()}. */
    public static int heldWrites() {
        return heldWrites.get();
    }

    /** The last event stored for {@code persistenceId}, or null. */
    public static Object lastEvent(String persistenceId) {
        Map.Entry<Long, PersistentRepr> last = events(persistenceId).lastEntry();
        return last == null ? null : last.getValue().payload();
    }

    /** Stores and confirms the writes held back (but failed ones), and stores normally from now on. */
    public static void reset() {
        failing = NONE;
        failures.clear();
        gate.complete(null);
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> writes) {
        // One call holds the writes of one persistent actor.
        boolean fail = false;
        boolean hold = false;
        for (AtomicWrite write : writes) {
            fail |= failing.test(write.persistenceId());
            hold |= held.test(write.persistenceId());
        }
        if (fail) {
            return Futures.failed(new IOException("journal down (test)"));
        }
        List<Optional<Exception>> results = new ArrayList<>();
        writes.forEach(write -> results.add(Optional.empty()));
        CompletableFuture<Void> released = gate;
        if (!hold || released.isDone()) {
            store(writes);
            return Futures.successful(results);
        }
        heldWrites.incrementAndGet();
        CompletableFuture<Iterable<Optional<Exception>>> outcome = new CompletableFuture<>();
        released.thenRun(() -> {
            synchronized (outcome) {
                if (!outcome.isDone()) {
                    store(writes);
                    outcome.complete(results);
                }
            }
        });
        for (AtomicWrite write : writes) {
            failure(write.persistenceId()).thenRun(() -> {
                synchronized (outcome) {
                    outcome.completeExceptionally(new IOException("journal down (test)"));
                }
            });
        }
        return FutureConverters.asScala(outcome);
    }

    private static void store(Iterable<AtomicWrite> writes) {
        for (AtomicWrite write : writes) {
            NavigableMap<Long, PersistentRepr> events = events(write.persistenceId());
            for (PersistentRepr event : CollectionConverters.asJava(write.payload())) {
                events.put(event.sequenceNr(), event);
            }
            highest.merge(write.persistenceId(), write.highestSequenceNr(), Math::max);
        }
    }

    private static CompletableFuture<Void> failure(String persistenceId) {
        return failures.computeIfAbsent(persistenceId, id -> new CompletableFuture<>());
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        events(persistenceId).headMap(toSequenceNr, true).clear();
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                              Consumer<PersistentRepr> replayCallback) {
        events(persistenceId).subMap(fromSequenceNr, true, toSequenceNr, true).values().stream()
                .limit(max)
                .forEach(replayCallback);
        return Futures.successful(null);
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        return Futures.successful(highest.getOrDefault(persistenceId, 0L));
    }

    private static NavigableMap<Long, PersistentRepr> events(String persistenceId) {
        return journal.computeIfAbsent(persistenceId, id -> Collections.synchronizedNavigableMap(new TreeMap<>()));
    }
}
