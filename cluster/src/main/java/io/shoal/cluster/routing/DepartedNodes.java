package io.shoal.cluster.routing;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.GSet;
import akka.cluster.ddata.GSetKey;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;

import java.util.Set;

/**
 * The ids of the nodes whose routing table entries every node removes: nodes that left the cluster
 * and whose sessions have been taken over. A grow-only set in Distributed Data (node ids are never
 * reused: a restarted node has a new one), so a late gossip of a departed node's entries is removed
 * when it arrives, on any node.
 */
final class DepartedNodes {

    static final Key<GSet<String>> KEY = GSetKey.create("shoal-routes-departed");

    interface Command {
    }

    record Add(Set<String> nodeIds) implements Command {
    }

    private record Changed(Replicator.SubscribeResponse<GSet<String>> response) implements Command {
    }

    private record Written(Replicator.UpdateResponse<GSet<String>> response) implements Command {
    }

    private DepartedNodes() {
    }

    /** Tells {@code table} every change of the set. */
    static Behavior<Command> create(ActorRef<RoutingTableActor.Command> table) {
        return Behaviors.setup(context -> DistributedData.<Command, GSet<String>>withReplicatorMessageAdapter(replicator -> {
            replicator.subscribe(KEY, Changed::new);
            return Behaviors.receive(Command.class)
                    .onMessage(Add.class, add -> {
                        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, GSet.create(),
                                Replicator.writeLocal(), replyTo, set -> {
                                    GSet<String> result = set;
                                    for (String id : add.nodeIds()) {
                                        result = result.add(id);
                                    }
                                    return result;
                                }), Written::new);
                        return Behaviors.same();
                    })
                    .onMessage(Changed.class, changed -> {
                        if (changed.response() instanceof Replicator.Changed<GSet<String>> c) {
                            table.tell(new RoutingTableActor.DepartedChanged(Set.copyOf(c.get(KEY).getElements())));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Written.class, written -> {
                        if (!(written.response() instanceof Replicator.UpdateSuccess)) {
                            context.getLog().warn("Recording departed nodes failed: {}", written.response());
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
