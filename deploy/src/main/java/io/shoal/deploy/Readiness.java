package io.shoal.deploy;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.stream.StreamSupport;

/**
 * Whether the node can serve clients: it is an Up member of the cluster, its stores answered, its
 * MQTT listener is open, and it is not shutting down (also not after being downed).
 */
final class Readiness {

    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    private final Cluster cluster;
    private volatile boolean listening;
    private volatile boolean shuttingDown;

    Readiness(ActorSystem<?> system) {
        this.cluster = Cluster.get(system);
        akka.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> log.info(
                "Joined the cluster as {}: {} members up", cluster.selfMember().address(), upMembers()));
    }

    void listening() {
        listening = true;
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    boolean ready() {
        return listening && !shuttingDown && cluster.selfMember().status() == MemberStatus.up();
    }

    long upMembers() {
        return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .filter(member -> member.status() == MemberStatus.up()).count();
    }

    /**
     * For GET /health/cluster: members this node sees Up (itself included) and members it cannot
     * reach. A crashed or partitioned node counts as unreachable until it is downed and removed.
     */
    String membersJson() {
        return "{\"up\":" + upMembers() + ",\"unreachable\":" + cluster.state().getUnreachable().size() + "}\n";
    }
}
