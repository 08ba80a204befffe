package io.shoal.cluster.session;

import akka.Done;
import akka.actor.typed.ActorRef;
import io.shoal.cluster.NodeGateway;
import io.shoal.cluster.delivery.ReceiptRef;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.CborSerializable;

import java.util.List;
import java.util.Set;

/** The messages a session entity accepts. */
public sealed interface SessionCommand extends CborSerializable {

    /** A connection of a node's gateway, by id; {@code node} is that node's id (see ClusterView). */
    record ConnectionRef(ActorRef<NodeGateway.Command> gateway, long id, String node) implements CborSerializable {
    }

    /**
     * A client connects; answered once the previous connection, if any, has handed the session back.
     * The session is kept after the connection only if {@code expirySeconds} is above 0.
     */
    record Connect(boolean cleanStart, long expirySeconds, ConnectionRef connection, Will will,
                   ActorRef<Connected> replyTo) implements SessionCommand {
    }

    /**
     * The connection gave up waiting for its Connect to be answered (and refused its client): it
     * never got the session, so there is nothing to wait for from it.
     */
    record ConnectAbandoned(ConnectionRef connection) implements SessionCommand {
    }

    /**
     * The connection got the session and its node routes for it now. Until then the entity cannot
     * tell it from one that gave up just before the answer reached it (see {@link ConnectAbandoned}).
     */
    record RouteTaken(ConnectionRef connection) implements SessionCommand {
    }

    /**
     * {@code handover}: the client came from another node, which goes on passing its messages on for
     * a while (so some may arrive twice).
     */
    record Connected(boolean sessionPresent, SessionState state, boolean handover) implements CborSerializable {
    }

    record Subscribe(long connectionId, List<Subscription> subscriptions, ActorRef<Done> replyTo)
            implements SessionCommand {
    }

    record Unsubscribe(long connectionId, List<String> filters, ActorRef<Done> replyTo) implements SessionCommand {
    }

    /**
     * The connection ended; it returns what the client has not acknowledged, its will if one is due
     * (now or after its delay), and the session expiry as the client left it. {@code receipts}: the
     * publishers waiting for some of the pending messages, told once these are journaled. Answered
     * once applied; the connection's node sends it again until it is (the entity's node may die
     * before it has journaled the detach), and a repeat is only answered.
     */
    record Detach(ConnectionRef connection, List<PendingDelivery> pending, Set<Integer> awaitingRelease, Will will,
                  long expirySeconds, List<ReceiptRef> receipts, ActorRef<Done> replyTo) implements SessionCommand {
    }

    /**
     * While the client is online: messages it has been slow to acknowledge, to journal (added to the
     * pending messages, or replacing them with {@code replacesPending}); {@code receipts} are told once
     * they are.
     */
    record Journal(long connectionId, List<PendingDelivery> messages, boolean replacesPending,
                   List<ReceiptRef> receipts) implements SessionCommand {
    }

    /**
     * A message for the client while it is offline, from the node that routes for it ({@code routes}:
     * its gateway, told to drop the route should the session be gone). {@code receipt}, null when
     * nobody waits, is told once the message is journaled or deliberately dropped.
     */
    record Deliver(PendingDelivery delivery, ActorRef<NodeGateway.Command> routes, ReceiptRef receipt)
            implements SessionCommand {
    }

    /** To itself: journal the messages queued since the last write, in one write. */
    enum FlushQueue implements SessionCommand { INSTANCE }

    /** Sharding's stop message on passivation and rebalance. */
    enum Stop implements SessionCommand { INSTANCE }

    /** Timer: the previous connection did not hand the session back in time. */
    record TakeoverTimedOut(long connectionId) implements SessionCommand {
    }

    /** Timer: the other nodes know where the client connected now; the node that routed before stops. */
    enum RetirePreviousRoute implements SessionCommand { INSTANCE }

    /** Timer: the session has been offline and quiet for a while. */
    enum Idle implements SessionCommand { INSTANCE }

    /**
     * Timer (or, for a session that left memory, a scheduled message): the delayed will or the
     * session's expiry may be due. {@code routes} is the gateway of the node that routes for the
     * session, if known.
     */
    record DeadlineDue(ActorRef<NodeGateway.Command> routes) implements SessionCommand {
    }

    /**
     * A sweep after nodes left the cluster (or at its first start): a session that nobody routes for
     * any more (its node is gone, or {@code departed}) is taken over by the node of {@code routes}
     * ({@code node} its id), which routes its messages from now on; the session tells its
     * subscriptions for that, and arms its timers wherever it now runs. A connection of a departed node
     * is gone with it.
     */
    record Restore(ActorRef<NodeGateway.Command> routes, String node, Set<String> departed,
                   ActorRef<Restored> replyTo) implements SessionCommand {
    }

    /**
     * The subscriptions the sweeping node is to route for the session, empty if none; {@code takenOver}
     * if it routes for the session from now on, rather than already did (a sweep asking again after
     * its answer was lost, or a session whose client left through that node).
     */
    record Restored(List<Subscription> subscriptions, boolean takenOver) implements CborSerializable {
    }
}
