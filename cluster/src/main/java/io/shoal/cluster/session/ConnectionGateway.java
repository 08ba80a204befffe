package io.shoal.cluster.session;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.shoal.node.delivery.SessionRoutes;
import io.shoal.node.session.ConnectionControl;
import io.shoal.node.session.DisconnectReason;
import io.shoal.persistence.CborSerializable;

import java.util.Map;

/**
 * One per node: lets a session entity, wherever it runs, act on what this node holds for its client:
 * close its connection (takeover) or drop its route once the session has ended offline (expiry).
 * Connections are not actors; they are looked up by the id the directory gave them.
 */
public final class ConnectionGateway {

    public sealed interface Command extends CborSerializable {
    }

    public record CloseConnection(long connectionId, DisconnectReason reason) implements Command {
    }

    /** The session of {@code clientId} ended while offline: its subscriptions on this node go. */
    public record RetireRoute(String clientId) implements Command {
    }

    private ConnectionGateway() {
    }

    static Behavior<Command> create(Map<Long, ConnectionControl> connections, SessionRoutes routes) {
        return Behaviors.receiveMessage(command -> {
            if (command instanceof CloseConnection close) {
                ConnectionControl connection = connections.get(close.connectionId());
                if (connection != null) {
                    connection.close(close.reason());
                }
            } else if (command instanceof RetireRoute retire) {
                routes.retire(retire.clientId());
            }
            return Behaviors.same();
        });
    }
}
