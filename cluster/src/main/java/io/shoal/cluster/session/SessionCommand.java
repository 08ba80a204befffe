package io.shoal.cluster.session;

import akka.Done;
import akka.actor.typed.ActorRef;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscription;
import io.shoal.persistence.CborSerializable;

import java.util.List;
import java.util.Set;

/** The messages a session entity accepts. */
public sealed interface SessionCommand extends CborSerializable {

    /** A connection of this node's (or another node's) gateway, by id. */
    record ConnectionRef(ActorRef<ConnectionGateway.CloseConnection> gateway, long id) implements CborSerializable {
    }

    /** A client connects; answered once the previous connection, if any, has handed the session back. */
    record Connect(boolean cleanSession, ConnectionRef connection, ActorRef<Connected> replyTo)
            implements SessionCommand {
    }

    record Connected(boolean sessionPresent, SessionState state) implements CborSerializable {
    }

    record Subscribe(long connectionId, List<Subscription> subscriptions, ActorRef<Done> replyTo)
            implements SessionCommand {
    }

    record Unsubscribe(long connectionId, List<String> filters, ActorRef<Done> replyTo) implements SessionCommand {
    }

    /** The connection ended; it returns what the client has not acknowledged and its will, if due. */
    record Detach(long connectionId, List<PendingDelivery> pending, Set<Integer> awaitingRelease, Publication will)
            implements SessionCommand {
    }

    /** A message for the client while it is offline. */
    record Deliver(Publication publication, int qos) implements SessionCommand {
    }

    /** Sharding's stop message on passivation and rebalance. */
    enum Stop implements SessionCommand { INSTANCE }

    /** Timer: the previous connection did not hand the session back in time. */
    record TakeoverTimedOut(long connectionId) implements SessionCommand {
    }

    /** Timer: the session has been offline and quiet for a while. */
    enum Idle implements SessionCommand { INSTANCE }
}
