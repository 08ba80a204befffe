package io.shoal.cluster;

import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;

import java.util.HashSet;
import java.util.Set;

/**
 * This node's view of the cluster's members, by node id: a member's address and the uid of its
 * incarnation, so a node restarted on the same host and port is another id, whose predecessor's
 * routes and sessions can be taken over without touching its own.
 */
public final class ClusterView {

    private final Cluster cluster;

    public ClusterView(ActorSystem<?> system) {
        this.cluster = Cluster.get(system);
    }

    public static String idOf(UniqueAddress node) {
        return node.address() + "#" + node.longUid();
    }

    public String selfId() {
        return idOf(cluster.selfMember().uniqueAddress());
    }

    /** Whether {@code nodeId} is a member that has not been downed or removed (it may be unreachable). */
    public boolean alive(String nodeId) {
        for (Member member : cluster.state().getMembers()) {
            if (idOf(member.uniqueAddress()).equals(nodeId)) {
                return alive(member);
            }
        }
        return false;
    }

    /** Whether {@code nodeId} is a member that this node's failure detector cannot reach now. */
    public boolean unreachable(String nodeId) {
        for (Member member : cluster.state().getUnreachable()) {
            if (idOf(member.uniqueAddress()).equals(nodeId)) {
                return true;
            }
        }
        return false;
    }

    /** The ids of the members that have not been downed or removed. */
    public Set<String> aliveIds() {
        Set<String> ids = new HashSet<>();
        for (Member member : cluster.state().getMembers()) {
            if (alive(member)) {
                ids.add(idOf(member.uniqueAddress()));
            }
        }
        return ids;
    }

    private static boolean alive(Member member) {
        return member.status() != MemberStatus.down() && member.status() != MemberStatus.removed();
    }
}
