package io.shoal.cluster;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;

/** How this node becomes a cluster member. */
public final class ClusterMembership {

    private ClusterMembership() {
    }

    /** Forms a cluster of one: the single-node mode, where sharding still hosts every session. */
    public static void joinSelf(ActorSystem<?> system) {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
}
