package io.shoal.node.session;

/**
 * A message on its way to a client: queued ({@code packetId == 0}) or in flight. {@code retain} is
 * the RETAIN flag the client will see (set for retained messages sent on SUBSCRIBE). A QoS 2 message
 * is {@code released} once the client's PUBREC has been answered with PUBREL; after that only PUBCOMP
 * is awaited and a reconnect re-sends the PUBREL, not the PUBLISH.
 */
public record PendingDelivery(Publication publication, int qos, boolean retain, int packetId, boolean released) {

    public static PendingDelivery queued(Publication publication, int qos, boolean retain) {
        return new PendingDelivery(publication, qos, retain, 0, false);
    }

    public boolean inFlight() {
        return packetId != 0;
    }

    public PendingDelivery sentAs(int id) {
        return new PendingDelivery(publication, qos, retain, id, false);
    }

    public PendingDelivery asReleased() {
        return new PendingDelivery(publication, qos, retain, packetId, true);
    }
}
