package io.shoal.cluster.session;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.shoal.node.session.ConnectionControl;
import io.shoal.node.session.DisconnectReason;
import io.shoal.persistence.CborSerializable;

import java.util.Map;

/**
 * One per node: lets a session entity, wherever it runs, close a connection held by this node
 * (takeover). Connections are not actors; they are looked up by the id the directory gave them.
 */
public final class ConnectionGateway {

    public record CloseConnection(long connectionId, DisconnectReason reason) implements CborSerializable {
    }

    private ConnectionGateway() {
    }

    static Behavior<CloseConnection> create(Map<Long, ConnectionControl> connections) {
        return Behaviors.receiveMessage(close -> {
            ConnectionControl connection = connections.get(close.connectionId());
            if (connection != null) {
                connection.close(close.reason());
            }
            return Behaviors.same();
        });
    }
}
