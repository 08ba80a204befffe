package io.shoal.persistence.cassandra;

import akka.actor.ActorSystem;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A start-up step that reads Cassandra is retried until it succeeds, never given up on. */
class CassandraStartupRetryTest {

    private final ActorSystem system = ActorSystem.create("startup-retry",
            ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.load()));

    @AfterEach
    void terminate() {
        system.terminate();
    }

    @Test
    void aFailingStepIsRetriedUntilItSucceeds() throws Exception {
        CassandraSettings settings = new CassandraSettings(List.of("127.0.0.1:9042"), "datacenter1", "shoal", "", "",
                "QUORUM", "QUORUM", true, new CassandraSettings.Replication("SimpleStrategy", 1, List.of()),
                Duration.ofMillis(10), Duration.ofMillis(40));
        AtomicInteger attempts = new AtomicInteger();

        int result = new CassandraStartup(system, settings).untilDone("Reading", () -> attempts.incrementAndGet() < 4
                ? CompletableFuture.failedFuture(new IllegalStateException("no node was available"))
                : CompletableFuture.completedFuture(42));

        assertEquals(42, result);
        assertEquals(4, attempts.get());
    }
}
