package io.shoal.node.session;

import java.util.List;

/**
 * A message on its way to a client: queued ({@code packetId == 0}) or in flight.
 *
 * @param retain          the RETAIN flag the client will see (retained messages sent on SUBSCRIBE,
 *                        Retain As Published)
 * @param subscriptionIds the identifiers of the client's subscriptions the message matched
 * @param shareGroup      the shared subscription it came through ("group/filter"), or null; a message
 *                        left unacknowledged by a departing member goes back to its group
 * @param released        for QoS 2: PUBREC was answered with PUBREL; a reconnect re-sends the PUBREL
 */
public record PendingDelivery(Publication publication, int qos, boolean retain, List<Integer> subscriptionIds,
                              String shareGroup, int packetId, boolean released) {

    public static PendingDelivery queued(Publication publication, int qos, boolean retain) {
        return new PendingDelivery(publication, qos, retain, List.of(), null, 0, false);
    }

    public static PendingDelivery queued(Publication publication, int qos, boolean retain, List<Integer> subscriptionIds,
                                         String shareGroup) {
        return new PendingDelivery(publication, qos, retain, subscriptionIds, shareGroup, 0, false);
    }

    public boolean inFlight() {
        return packetId != 0;
    }

    public PendingDelivery sentAs(int id) {
        return new PendingDelivery(publication, qos, retain, subscriptionIds, shareGroup, id, false);
    }

    public PendingDelivery asReleased() {
        return new PendingDelivery(publication, qos, retain, subscriptionIds, shareGroup, packetId, true);
    }

    /** Back to the queue, as when its client left before acknowledging it. */
    public PendingDelivery unsent() {
        return new PendingDelivery(publication, qos, retain, subscriptionIds, shareGroup, 0, false);
    }
}
