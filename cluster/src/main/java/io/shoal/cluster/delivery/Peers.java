package io.shoal.cluster.delivery;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import io.shoal.cluster.ClusterView;
import io.shoal.cluster.NodeGateway;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The gateways of the other nodes that can be forwarded to now: listed by the receptionist, members
 * of the cluster in this incarnation (a routing-table id of a node's predecessor on the same address
 * is not this node), and reachable. Read lock-free from the publish path.
 */
public final class Peers {

    private volatile Map<String, ActorRef<NodeGateway.Command>> byAddress = Map.of();
    /** Address -> the id (address and incarnation uid) of the member there now. */
    private volatile Map<String, String> members = Map.of();
    private volatile Set<String> unreachable = Set.of();
    private final String selfAddress;

    private Peers(ActorSystem<?> system) {
        this.selfAddress = system.address().toString();
        system.systemActorOf(listener(), "shoal-peers", Props.empty());
        system.systemActorOf(membership(), "shoal-peers-membership", Props.empty());
    }

    public static Peers start(ActorSystem<?> system) {
        return new Peers(system);
    }

    /**
     * The gateway of the node with this routing table id (address#uid), or null if that node cannot be
     * forwarded to now: not listed yet, unreachable, or no longer a member.
     */
    public ActorRef<NodeGateway.Command> gateway(String nodeId) {
        int uid = nodeId.lastIndexOf('#');
        String address = uid < 0 ? nodeId : nodeId.substring(0, uid);
        if (uid >= 0 && !nodeId.equals(members.get(address)) || unreachable.contains(address)) {
            return null;
        }
        return byAddress.get(address);
    }

    /** How many other nodes this node can forward to. */
    public int count() {
        return byAddress.size();
    }

    /** Every other listed node's gateway. */
    public Collection<ActorRef<NodeGateway.Command>> others() {
        return byAddress.values();
    }

    private Behavior<Receptionist.Listing> listener() {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.subscribe(NodeGateway.KEY, context.getSelf()));
            return Behaviors.receiveMessage(listing -> {
                Map<String, ActorRef<NodeGateway.Command>> next = new HashMap<>();
                for (ActorRef<NodeGateway.Command> gateway : listing.getServiceInstances(NodeGateway.KEY)) {
                    String address = gateway.path().address().hasGlobalScope()
                            ? gateway.path().address().toString() : selfAddress;
                    if (!address.equals(selfAddress)) {
                        next.put(address, gateway);
                    }
                }
                byAddress = Map.copyOf(next);
                return Behaviors.same();
            });
        });
    }

    /** Keeps {@link #members} and {@link #unreachable} as the cluster's events tell them. */
    private Behavior<ClusterEvent.ClusterDomainEvent> membership() {
        return Behaviors.setup(context -> {
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(context.getSelf(),
                    ClusterEvent.ClusterDomainEvent.class));
            return Behaviors.receiveMessage(event -> {
                Map<String, String> now = new HashMap<>(members);
                Set<String> cut = new HashSet<>(unreachable);
                // Typed subscriptions replay the current state as events first.
                if (event instanceof ClusterEvent.MemberEvent member) {
                    update(now, member.member());
                    if (event instanceof ClusterEvent.MemberRemoved) {
                        cut.remove(member.member().address().toString());
                    }
                } else if (event instanceof ClusterEvent.UnreachableMember member) {
                    cut.add(member.member().address().toString());
                } else if (event instanceof ClusterEvent.ReachableMember member) {
                    cut.remove(member.member().address().toString());
                } else {
                    return Behaviors.same();
                }
                members = Map.copyOf(now);
                unreachable = Set.copyOf(cut);
                return Behaviors.same();
            });
        });
    }

    private static void update(Map<String, String> members, Member member) {
        String address = member.address().toString();
        String id = ClusterView.idOf(member.uniqueAddress());
        if (member.status() == MemberStatus.down() || member.status() == MemberStatus.removed()) {
            members.remove(address, id);
        } else {
            members.put(address, id);
        }
    }
}
