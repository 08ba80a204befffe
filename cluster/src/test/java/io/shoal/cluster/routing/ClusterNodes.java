package io.shoal.cluster.routing;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.cluster.ClusterMembership;

import java.time.Duration;
import java.util.stream.StreamSupport;

import static org.awaitility.Awaitility.await;

/** Cluster nodes as actor systems in this JVM, on loopback. */
final class ClusterNodes {

    private ClusterNodes() {
    }

    /** A node on {@code port} (0: any free port), not yet joined. */
    static ActorTestKit start(int port) {
        return start(port, ConfigFactory.empty());
    }

    /** The same with {@code overrides} on top of the test settings. */
    static ActorTestKit start(int port, Config overrides) {
        Config config = overrides.withFallback(ConfigFactory.parseString("""
                        akka.remote.artery.canonical.hostname = "127.0.0.1"
                        akka.remote.artery.canonical.port = %d
                        # Faster than the defaults so routes show up in tens of ms, not seconds.
                        akka.cluster.distributed-data.gossip-interval = 300ms
                        akka.cluster.distributed-data.notify-subscribers-interval = 50ms
                        akka.cluster.gossip-interval = 200ms
                        akka.cluster.leader-actions-interval = 200ms
                        akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        """.formatted(port)))
                .withFallback(ClusterMembership.akkaDefaults())
                .withFallback(ConfigFactory.load());
        return ActorTestKit.create("shoal", config);
    }

    static Address address(ActorTestKit node) {
        return Cluster.get(node.system()).selfMember().address();
    }

    static void join(ActorTestKit node, ActorTestKit seed) {
        Cluster.get(node.system()).manager().tell(Join.create(address(seed)));
    }

    /** Waits until {@code observer} sees exactly {@code count} members, all Up. */
    static void awaitUp(ActorTestKit observer, int count) {
        ActorSystem<?> system = observer.system();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Iterable<akka.cluster.Member> members = Cluster.get(system).state().getMembers();
            return StreamSupport.stream(members.spliterator(), false)
                    .filter(m -> m.status() == MemberStatus.up()).count() == count
                    && StreamSupport.stream(members.spliterator(), false).count() == count;
        });
    }
}
