package io.shoal.node.session;

import java.util.List;
import java.util.Set;

/**
 * What a session holds between connections: its subscriptions, the messages not yet acknowledged
 * by the client (in flight first, in send order, then queued), and the packet ids of inbound QoS 2
 * messages whose PUBREL has not arrived yet.
 */
public record SessionState(List<Subscription> subscriptions, List<PendingDelivery> pending,
                           Set<Integer> awaitingRelease) {

    public static final SessionState EMPTY = new SessionState(List.of(), List.of(), Set.of());
}
