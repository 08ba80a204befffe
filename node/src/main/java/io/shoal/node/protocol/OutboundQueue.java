package io.shoal.node.protocol;

import io.shoal.node.session.PendingDelivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The messages on their way to one online client: a bounded FIFO of queued messages and the window
 * of QoS 1/2 messages in flight, with the packet identifiers they hold. Confined to the connection's
 * event loop.
 *
 * <p>QoS 0 messages take no slot in the window but keep their place in the FIFO, so a topic's
 * messages leave in the order they arrived. When the FIFO is full, new messages are refused (the
 * caller counts the drop): what is already queued has been waiting longest and is kept.
 *
 * <p>Messages a resumed session had in flight are re-sent first, with their packet identifiers
 * [MQTT-4.4.0-1], but no faster than the window allows (the client's Receive Maximum may be lower
 * than on its previous connection). New messages get identifiers only once every re-send is in
 * flight, so an identifier is never handed out twice.
 */
final class OutboundQueue {

    private static final int MAX_PACKET_ID = 0xFFFF;

    private final int maxInflight;
    private final int maxQueued;
    private final LinkedHashMap<Integer, PendingDelivery> inflight = new LinkedHashMap<>();
    private final ArrayDeque<PendingDelivery> queued = new ArrayDeque<>();
    private final ArrayDeque<PendingDelivery> resends = new ArrayDeque<>();
    private int lastPacketId;

    OutboundQueue(int maxInflight, int maxQueued) {
        if (maxInflight < 1 || maxInflight > MAX_PACKET_ID) {
            throw new IllegalArgumentException("maxInflight must be 1.." + MAX_PACKET_ID);
        }
        this.maxInflight = maxInflight;
        this.maxQueued = maxQueued;
    }

    /** Queues a message; false if the queue is full and the message was not taken. */
    boolean offer(PendingDelivery delivery) {
        if (queued.size() >= maxQueued) {
            return false;
        }
        queued.add(delivery);
        return true;
    }

    /** Whether {@link #poll()} would hand out a message sent on an earlier connection (send it with DUP). */
    boolean nextIsResend() {
        return !resends.isEmpty();
    }

    /**
     * Takes the next message to send: a message to re-send if a slot in the window is free, else the
     * head of the queue if it is QoS 0 or a slot is free, with a packet identifier assigned for
     * QoS 1/2; null if nothing may be sent now.
     */
    PendingDelivery poll() {
        PendingDelivery resend = resends.peek();
        if (resend != null) {
            if (inflight.size() >= maxInflight) {
                return null;
            }
            resends.poll();
            inflight.put(resend.packetId(), resend);
            return resend;
        }
        PendingDelivery head = queued.peek();
        if (head == null || (head.qos() > 0 && inflight.size() >= maxInflight)) {
            return null;
        }
        queued.poll();
        if (head.qos() == 0) {
            return head;
        }
        PendingDelivery sent = head.sentAs(nextPacketId());
        inflight.put(sent.packetId(), sent);
        return sent;
    }

    /** PUBACK: completes a QoS 1 message. False if no QoS 1 message holds that id. */
    boolean acknowledge(int packetId) {
        PendingDelivery d = inflight.get(packetId);
        if (d == null || d.qos() != 1) {
            return false;
        }
        inflight.remove(packetId);
        return true;
    }

    /** PUBREC: a QoS 2 message was received; it now awaits PUBCOMP. False if unknown. */
    boolean received(int packetId) {
        PendingDelivery d = inflight.get(packetId);
        if (d == null || d.qos() != 2) {
            return false;
        }
        inflight.put(packetId, d.asReleased());
        return true;
    }

    /** PUBCOMP: completes a released QoS 2 message. False if unknown. */
    boolean complete(int packetId) {
        PendingDelivery d = inflight.get(packetId);
        if (d == null || !d.released()) {
            return false;
        }
        inflight.remove(packetId);
        return true;
    }

    /**
     * Ends a message's flow without delivery (PUBREC with an error, or a message that could not be
     * sent), freeing its slot. Id 0 (a QoS 0 message) holds no slot. False if unknown.
     */
    boolean discard(int packetId) {
        return packetId != 0 && inflight.remove(packetId) != null;
    }

    /** Messages in flight, in the order they were sent. */
    Collection<PendingDelivery> inFlight() {
        return inflight.values();
    }

    /**
     * Takes over a resumed session's messages: those that were in flight wait to be re-sent with
     * their packet identifiers, the rest are queued in order (beyond the queue limit if need be,
     * since they were accepted earlier).
     */
    void restore(List<PendingDelivery> pending) {
        for (PendingDelivery d : pending) {
            if (d.inFlight()) {
                resends.add(d);
                lastPacketId = d.packetId();
            } else {
                queued.add(d);
            }
        }
    }

    /** Everything not yet acknowledged, in flight first; the queue is left empty. */
    List<PendingDelivery> drain() {
        List<PendingDelivery> all = new ArrayList<>(inflight.size() + resends.size() + queued.size());
        all.addAll(inflight.values());
        all.addAll(resends);
        all.addAll(queued);
        inflight.clear();
        resends.clear();
        queued.clear();
        return all;
    }

    int inFlightCount() {
        return inflight.size();
    }

    int queuedCount() {
        return queued.size() + resends.size();
    }

    /** Never hands out an identifier still in flight [MQTT-2.3.1-2]. */
    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId % MAX_PACKET_ID + 1;
        } while (inflight.containsKey(lastPacketId));
        return lastPacketId;
    }
}
