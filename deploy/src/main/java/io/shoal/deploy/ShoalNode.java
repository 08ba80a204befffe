package io.shoal.deploy;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.cluster.ClusterMembership;
import io.shoal.cluster.session.SessionEntity;
import io.shoal.cluster.session.ShardedSessionDirectory;
import io.shoal.node.MqttEdge;
import io.shoal.node.auth.Authenticator;
import io.shoal.node.delivery.RetainedStore;
import io.shoal.node.listener.Listener;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.session.Publication;
import io.shoal.persistence.PersistenceMode;
import io.shoal.persistence.cassandra.CassandraStartup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running broker node: an Akka cluster member hosting session entities, and its MQTT edge. This
 * is where the modules meet: the edge gets the sharded session directory, the session entities get
 * the edge's publish path.
 */
public final class ShoalNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShoalNode.class);

    private final ActorSystem<Void> system;
    private final MqttEdge edge;
    private final Listener listener;

    private ShoalNode(ActorSystem<Void> system, MqttEdge edge, Listener listener) {
        this.system = system;
        this.edge = edge;
        this.listener = listener;
    }

    public static ShoalNode start(ShoalSettings settings, Config config) throws InterruptedException {
        return start(settings, config, Authenticator.ALLOW_ALL);
    }

    /**
     * Starts a node whose clients are authenticated by {@code authenticator}. With Cassandra this
     * blocks until Cassandra answers: the MQTT port opens only once the stores are usable.
     */
    public static ShoalNode start(ShoalSettings settings, Config config, Authenticator authenticator)
            throws InterruptedException {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shoal", akkaConfig(settings, config));
        BrokerMetrics metrics = new BrokerMetrics();
        MqttEdge edge = null;
        try {
            ClusterMembership.joinSelf(system);
            List<Publication> retained = new ArrayList<>();
            RetainedStore retainedStore = RetainedStore.NONE;
            CassandraStartup cassandra = null;
            if (settings.persistence() == PersistenceMode.CASSANDRA) {
                cassandra = new CassandraStartup(system.classicSystem(), settings.cassandra());
                retainedStore = cassandra.await(metrics, retained::add);
            } else {
                log.warn("Persistence is 'memory': sessions and retained messages will NOT survive a restart");
            }
            edge = new MqttEdge(settings.mqtt(), settings.ioThreads(), metrics, retainedStore);
            retained.forEach(edge.retained()::restore);
            ShardedSessionDirectory directory = ShardedSessionDirectory.start(system,
                    new SessionEntity.Dependencies(settings.session(), edge.publisher(), metrics), edge.routes());
            if (cassandra != null) {
                restoreOfflineSessions(directory, cassandra);
            }
            Listener listener = edge.listenTcp(settings.mqttHost(), settings.mqttPort(), directory, authenticator);
            ShoalNode node = new ShoalNode(system, edge, listener);
            node.registerShutdownTasks();
            log.info("Shoal is listening for MQTT on {}", listener.localAddress());
            return node;
        } catch (InterruptedException | RuntimeException e) {
            if (edge != null) {
                edge.close();
            }
            system.terminate();
            throw e;
        }
    }

    /**
     * Offline sessions must be routed to before the first client publishes, or their messages would
     * find no subscriber; this also re-arms their expiry and will-delay timers.
     */
    private static void restoreOfflineSessions(ShardedSessionDirectory directory, CassandraStartup cassandra)
            throws InterruptedException {
        long started = System.nanoTime();
        int restored = cassandra.untilDone("Restoring offline sessions",
                () -> directory.restoreOfflineSessions(cassandra.persistenceIds()));
        log.info("{} offline sessions restored in {} ms", restored,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Shoal's settings mapped onto Akka's, ahead of the persistence mode's and the module defaults. */
    private static Config akkaConfig(ShoalSettings settings, Config config) {
        Config fromSettings = ConfigFactory.parseMap(Map.of(
                "akka.remote.artery.canonical.hostname", settings.clusterHost(),
                "akka.remote.artery.canonical.port", settings.clusterPort()));
        Config withDefaults = config.withFallback(ClusterMembership.akkaDefaults())
                .withFallback(ConfigFactory.defaultReference(ShoalNode.class.getClassLoader()));
        return fromSettings
                .withFallback(settings.persistence().akkaConfig(withDefaults, settings.cassandra()))
                .withFallback(withDefaults)
                .resolve();
    }

    /** Akka's coordinated shutdown (also run on SIGTERM) stops the MQTT edge before the cluster. */
    private void registerShutdownTasks() {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "mqtt-unbind", () -> {
            edge.stopListening();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
        shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "mqtt-close-connections",
                () -> CompletableFuture.supplyAsync(() -> {
                    edge.close();
                    return Done.getInstance();
                }));
    }

    public InetSocketAddress mqttAddress() {
        return listener.localAddress();
    }

    public BrokerMetrics metrics() {
        return edge.metrics();
    }

    /** Completes when the node has stopped (after {@link #close()} or a JVM shutdown). */
    public CompletableFuture<Done> whenTerminated() {
        return system.getWhenTerminated().toCompletableFuture();
    }

    @Override
    public void close() {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
        whenTerminated().orTimeout(Duration.ofSeconds(30).toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
    }
}
