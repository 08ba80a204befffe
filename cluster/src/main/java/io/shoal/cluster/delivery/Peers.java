package io.shoal.cluster.delivery;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import io.shoal.cluster.NodeGateway;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The gateways of the other nodes, by node address, as the receptionist lists them. Read lock-free
 * from the publish path.
 */
public final class Peers {

    private volatile Map<String, ActorRef<NodeGateway.Command>> byAddress = Map.of();
    private final String selfAddress;

    private Peers(ActorSystem<?> system) {
        this.selfAddress = system.address().toString();
        system.systemActorOf(listener(), "shoal-peers", Props.empty());
    }

    public static Peers start(ActorSystem<?> system) {
        return new Peers(system);
    }

    /** The gateway of the node with this routing table id (address#uid), or null if it is not listed. */
    public ActorRef<NodeGateway.Command> gateway(String nodeId) {
        int uid = nodeId.lastIndexOf('#');
        return byAddress.get(uid < 0 ? nodeId : nodeId.substring(0, uid));
    }

    /** How many other nodes this node can forward to. */
    public int count() {
        return byAddress.size();
    }

    /** Every other node's gateway. */
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
}
