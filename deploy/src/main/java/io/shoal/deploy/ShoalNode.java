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
import io.shoal.node.listener.Listener;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.persistence.PersistenceMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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

    /** Starts a node whose clients are authenticated by {@code authenticator}. */
    public static ShoalNode start(ShoalSettings settings, Config config, Authenticator authenticator)
            throws InterruptedException {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shoal", akkaConfig(settings, config));
        MqttEdge edge = new MqttEdge(settings.mqtt(), settings.ioThreads());
        try {
            ClusterMembership.joinSelf(system);
            ShardedSessionDirectory directory = ShardedSessionDirectory.start(system,
                    new SessionEntity.Dependencies(settings.session(), edge.publisher(), edge.metrics()), edge.routes());
            Listener listener = edge.listenTcp(settings.mqttHost(), settings.mqttPort(), directory, authenticator);
            ShoalNode node = new ShoalNode(system, edge, listener);
            node.registerShutdownTasks();
            if (settings.persistence() == PersistenceMode.MEMORY) {
                log.warn("Persistence is 'memory': sessions and retained messages will NOT survive a restart");
            }
            log.info("Shoal is listening for MQTT on {}", listener.localAddress());
            return node;
        } catch (InterruptedException | RuntimeException e) {
            edge.close();
            system.terminate();
            throw e;
        }
    }

    /** Shoal's settings mapped onto Akka's, ahead of the persistence mode's and the module defaults. */
    private static Config akkaConfig(ShoalSettings settings, Config config) {
        Config fromSettings = ConfigFactory.parseMap(Map.of(
                "akka.remote.artery.canonical.hostname", settings.clusterHost(),
                "akka.remote.artery.canonical.port", settings.clusterPort()));
        Config withDefaults = config.withFallback(ClusterMembership.akkaDefaults())
                .withFallback(ConfigFactory.defaultReference(ShoalNode.class.getClassLoader()));
        return fromSettings
                .withFallback(settings.persistence().akkaConfig(withDefaults))
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
