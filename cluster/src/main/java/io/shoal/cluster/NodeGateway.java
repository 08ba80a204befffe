package io.shoal.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import io.shoal.cluster.delivery.ReceiptRef;
import io.shoal.node.delivery.MessageRouter;
import io.shoal.node.delivery.RetainedMessages;
import io.shoal.node.delivery.SessionRoute;
import io.shoal.node.delivery.SessionRoutes;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.ConnectionControl;
import io.shoal.node.session.DisconnectReason;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;
import io.shoal.persistence.CborSerializable;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One per node: how the rest of the cluster acts on what this node holds. A session entity,
 * wherever it runs, closes its client's connection here (takeover) or drops the client's route once
 * the session has ended offline (expiry); other nodes forward publishes whose subscribers are here
 * and tell of retained messages set or cleared there. Connections are not actors; they are looked
 * up by the id the session directory gave them. Other nodes find the gateway through the
 * receptionist under {@link #KEY}.
 */
public final class NodeGateway {

    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "shoal-node-gateway");

    public sealed interface Command extends CborSerializable {
    }

    public record CloseConnection(long connectionId, DisconnectReason reason) implements Command {
    }

    /** The session of {@code clientId} ended while offline: its subscriptions on this node go. */
    public record RetireRoute(String clientId) implements Command {
    }

    /**
     * A message published on another node: to this node's matching subscribers if
     * {@code toSubscribers}, and to one member here of each shared subscription in {@code groups}
     * ("group/filter"). {@code receipt}, if not null, is told once every store it caused here is done.
     */
    public record Forward(Publication publication, boolean toSubscribers, List<String> groups, ReceiptRef receipt)
            implements Command {
    }

    /**
     * A message for a client connected here, passed on by its session from a node it has left;
     * {@code receipt}, if not null, is told once the message is safe here.
     */
    public record DeliverToClient(String clientId, PendingDelivery delivery, ReceiptRef receipt) implements Command {
    }

    /** A retained message was set (or, with an empty payload, cleared) on another node. */
    public record RetainedChanged(Publication publication) implements Command {
    }

    /**
     * What the gateway acts on: this node's connections, routes, publish path and retained messages.
     * {@code handoverWindow} is how long a client that connected here may also get its messages
     * passed on by the node it left.
     */
    public record Node(Map<Long, ConnectionControl> connections, SessionRoutes routes, MessageRouter router,
                       RetainedMessages retained, BrokerMetrics metrics, Duration handoverWindow) {
    }

    private NodeGateway() {
    }

    public static Behavior<Command> create(Node node) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
            return Behaviors.receiveMessage(command -> {
                if (command instanceof Forward forward) {
                    node.metrics().increment(Counter.FORWARDS_RECEIVED);
                    deliver(node, forward);
                } else if (command instanceof CloseConnection close) {
                    ConnectionControl connection = node.connections().get(close.connectionId());
                    if (connection != null) {
                        connection.close(close.reason());
                    }
                } else if (command instanceof RetireRoute retire) {
                    node.routes().retire(retire.clientId());
                } else if (command instanceof DeliverToClient toClient) {
                    passOn(node, toClient);
                } else if (command instanceof RetainedChanged changed) {
                    node.retained().replicate(changed.publication());
                }
                return Behaviors.same();
            });
        });
    }

    private static void passOn(Node node, DeliverToClient toClient) {
        ReceiptRef origin = toClient.receipt();
        SessionRoute route = node.routes().get(toClient.clientId());
        if (route == null) {
            // The connection the entity passes this to is gone (closed, its detach still on the way,
            // or it gave up before its CONNECT was answered): not delivered, so its publisher must not
            // be told it is safe; it sends it again, to the session as it is by then.
            if (origin != null) {
                origin.failed();
            }
            return;
        }
        StorageReceipt receipt = origin == null ? null : new StorageReceipt(r -> settle(origin, r));
        route.deliverHandedOver(toClient.delivery(), receipt, node.handoverWindow());
        if (receipt != null && receipt.seal()) {
            settle(origin, receipt);
        }
    }

    /** Delivers here; the origin's receipt settles once the stores this caused (offline sessions) are done. */
    private static void deliver(Node node, Forward forward) {
        ReceiptRef origin = forward.receipt();
        StorageReceipt receipt = origin == null ? null : new StorageReceipt(r -> settle(origin, r));
        int groupsGone = node.router().deliverForwarded(forward.publication(), forward.toSubscribers(), forward.groups(),
                receipt);
        node.metrics().add(Counter.DROPPED_SHARE_GROUP_GONE, groupsGone);
        if (receipt != null && receipt.seal()) {
            settle(origin, receipt);
        }
    }

    private static void settle(ReceiptRef origin, StorageReceipt receipt) {
        if (receipt.succeeded()) {
            origin.stored();
        } else {
            origin.failed();
        }
    }
}
