package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.Stored;

import java.util.List;
import java.util.Set;

/**
 * An immutable copy of {@link SessionData} as stored in the snapshot store: a storage format, like
 * {@link SessionEvent}.
 *
 * @param routedBy              the node that routes the session's messages while it is offline (format
 *                              version 2; null in older snapshots: not known)
 * @param attachedWill          the will of the connection attached, as journaled (version 2)
 * @param attachedExpirySeconds the session expiry that connection asked for; null when no connection
 *                              is attached as far as the journal knows (version 2)
 * @param attachedGateway       the gateway of that connection's node, see {@link SessionEvent.Attached}
 *                              (version 3; null in older snapshots: not known)
 * @param attachedConnectionId  that connection's id on its node (version 3; 0: not known)
 */
public record SessionSnapshot(boolean exists, List<Subscription> subscriptions, List<PendingDelivery> pending,
                              Set<Integer> awaitingRelease, long expiresAtMillis, Will delayedWill,
                              long willAtMillis, String routedBy, Will attachedWill, Long attachedExpirySeconds,
                              String attachedGateway, long attachedConnectionId)
        implements Stored {
}
