package io.shoal.deploy;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.cluster.ClusterMembership;
import io.shoal.cluster.delivery.AwaitedReceipts;
import io.shoal.cluster.delivery.ForwardingRoutes;
import io.shoal.cluster.delivery.Peers;
import io.shoal.cluster.delivery.ReplicatedRetainedStore;
import io.shoal.cluster.routing.RoutingSettings;
import io.shoal.cluster.routing.RoutingTable;
import io.shoal.cluster.session.SessionAdoption;
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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    private final RoutingTable routingTable;
    private final Peers peers;
    private final Readiness readiness;
    private final HealthEndpoint health;

    private ShoalNode(ActorSystem<Void> system, MqttEdge edge, Listener listener, RoutingTable routingTable,
                      Peers peers, Readiness readiness, HealthEndpoint health) {
        this.system = system;
        this.edge = edge;
        this.listener = listener;
        this.routingTable = routingTable;
        this.peers = peers;
        this.readiness = readiness;
        this.health = health;
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
        HealthEndpoint health = null;
        try {
            Readiness readiness = new Readiness(system);
            if (settings.healthPort() >= 0) {
                health = HealthEndpoint.start(settings.mqttHost(), settings.healthPort(), readiness::ready,
                        readiness::membersJson);
            }
            ClusterMembership.join(system, settings.cluster());
            RoutingTable routingTable = RoutingTable.start(system, RoutingSettings.defaults());
            Peers peers = Peers.start(system);
            AwaitedReceipts receipts = AwaitedReceipts.start(system, settings.session().askTimeout());
            List<Publication> retained = new ArrayList<>();
            RetainedStore retainedStore = RetainedStore.NONE;
            CassandraStartup cassandra = null;
            if (settings.persistence() == PersistenceMode.CASSANDRA) {
                cassandra = new CassandraStartup(system.classicSystem(), settings.cassandra());
                retainedStore = cassandra.await(metrics, retained::add);
            } else {
                log.warn("Persistence is 'memory': sessions and retained messages will NOT survive a restart");
            }
            edge = new MqttEdge(settings.mqtt(), settings.ioThreads(), metrics,
                    new ReplicatedRetainedStore(retainedStore, peers),
                    new ForwardingRoutes(routingTable, peers, receipts, settings.mqtt().shareStrategy(), metrics));
            retained.forEach(edge.retained()::restore);
            ShardedSessionDirectory directory = ShardedSessionDirectory.start(system,
                    new SessionEntity.Dependencies(settings.session(), edge.publisher(), metrics), edge, receipts);
            if (cassandra != null) {
                SessionAdoption.start(system, directory, cassandra::persistenceIds, routingTable);
                awaitSessionsAdopted(system);
            }
            Listener listener = edge.listenTcp(settings.mqttHost(), settings.mqttPort(), directory, authenticator);
            ShoalNode node = new ShoalNode(system, edge, listener, routingTable, peers, readiness, health);
            node.registerShutdownTasks();
            readiness.listening();
            log.info("Shoal is listening for MQTT on {}", listener.localAddress());
            return node;
        } catch (IOException e) {
            stopPartlyStarted(system, null, null);
            throw new IllegalStateException("cannot open the health endpoint on port " + settings.healthPort()
                    + " (shoal.health.port): " + e.getMessage(), e);
        } catch (InterruptedException | RuntimeException e) {
            stopPartlyStarted(system, edge, health);
            throw e;
        }
    }

    private static void stopPartlyStarted(ActorSystem<?> system, MqttEdge edge, HealthEndpoint health) {
        if (edge != null) {
            edge.close();
        }
        if (health != null) {
            health.close();
        }
        system.terminate();
    }

    /**
     * Offline sessions must be routed to before the first client publishes, or their messages would
     * find no subscriber: at the cluster's first start its sweeper takes them over (and re-arms their
     * expiry and will-delay timers) before any node takes clients.
     */
    private static void awaitSessionsAdopted(ActorSystem<?> system) throws InterruptedException {
        CompletableFuture<Done> adopted = SessionAdoption.awaitAdopted(system).toCompletableFuture();
        long started = System.nanoTime();
        while (true) {
            try {
                adopted.get(10, TimeUnit.SECONDS);
                return;
            } catch (TimeoutException stillWaiting) {
                log.info("Waiting for the cluster to take over its persistent sessions ({} s); the node is not ready"
                        + " and accepts no clients until then", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Shoal's settings mapped onto Akka's, ahead of the persistence mode's and the module defaults. */
    private static Config akkaConfig(ShoalSettings settings, Config config) {
        Config fromSettings = ClusterMembership.akkaConfig(settings.cluster());
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
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "not-ready", () -> {
            readiness.shuttingDown();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
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

    /** The node's copy of the cluster's routing table. */
    public RoutingTable routingTable() {
        return routingTable;
    }

    /** How many other nodes this node knows it can forward messages to. */
    public int peerCount() {
        return peers.count();
    }

    /** Members of the cluster this node sees as Up, itself included. */
    public long upMembers() {
        return readiness.upMembers();
    }

    /** Whether the node has joined the cluster and serves clients (what GET /health/ready answers). */
    public boolean ready() {
        return readiness.ready();
    }

    /** The address of the health endpoints, or null when they are off. */
    public InetSocketAddress healthAddress() {
        return health == null ? null : health.address();
    }

    /** This node's cluster address, host:port. */
    public String clusterAddress() {
        akka.actor.Address address = system.address();
        return address.getHost().orElseThrow() + ":" + address.getPort().orElseThrow();
    }

    /** Why the node stopped (or is stopping), if it is: e.g. it was downed by the cluster. */
    public java.util.Optional<CoordinatedShutdown.Reason> shutdownReason() {
        return CoordinatedShutdown.get(system).getShutdownReason();
    }

    /** Completes when the node has stopped (after {@link #close()} or a JVM shutdown). */
    public CompletableFuture<Done> whenTerminated() {
        return system.getWhenTerminated().toCompletableFuture().whenComplete((done, failure) -> {
            if (health != null) {
                health.close();
            }
        });
    }

    @Override
    public void close() {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
        whenTerminated().orTimeout(Duration.ofSeconds(30).toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
    }
}
