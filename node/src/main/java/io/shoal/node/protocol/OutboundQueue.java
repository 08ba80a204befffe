package io.shoal.node.protocol;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.StorageReceipt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 *
 * <p>A message may come with its publisher's receipt (a client with a persistent session, whose
 * messages must be safe before their publishers are acknowledged): the receipt settles when the client
 * acknowledges the message (PUBACK, or PUBREC for QoS 2), when the message is dropped, or when it is
 * handed to the session to be journaled ({@link #takeTrackedSince}, {@link #drain}).
 */
final class OutboundQueue {

    private static final int MAX_PACKET_ID = 0xFFFF;
    /** Keeps {@link #queuedTracking} aligned with the queue for a message nobody waits for. */
    private static final Object UNTRACKED = new Object();

    private final int maxInflight;
    private final int maxQueued;
    private final LinkedHashMap<Integer, PendingDelivery> inflight = new LinkedHashMap<>();
    private final ArrayDeque<PendingDelivery> queued = new ArrayDeque<>();
    private final ArrayDeque<PendingDelivery> resends = new ArrayDeque<>();
    /** For each queued message, its {@link Tracked} or {@link #UNTRACKED}; created with the first receipt. */
    private ArrayDeque<Object> queuedTracking;
    /** The receipts of messages in flight, by packet id, in the order they were sent (the order they came). */
    private LinkedHashMap<Integer, Tracked> inflightTracking;
    private int tracked;
    private int lastPacketId;

    /** A publisher's receipt waiting for this client, and since when; taken (null) once handed out. */
    private static final class Tracked {
        private StorageReceipt receipt;
        private final long sinceNanos;

        Tracked(StorageReceipt receipt, long sinceNanos) {
            this.receipt = receipt;
            this.sinceNanos = sinceNanos;
        }
    }

    /** Receives what {@link #drain} and {@link #takeTrackedSince} hand out. */
    interface Sink {
        /** @param receipt the publisher's receipt waiting for the message, or null */
        void accept(PendingDelivery delivery, StorageReceipt receipt);
    }

    OutboundQueue(int maxInflight, int maxQueued) {
        if (maxInflight < 1 || maxInflight > MAX_PACKET_ID) {
            throw new IllegalArgumentException("maxInflight must be 1.." + MAX_PACKET_ID);
        }
        this.maxInflight = maxInflight;
        this.maxQueued = maxQueued;
    }

    /** Queues a message; false if the queue is full and the message was not taken. */
    boolean offer(PendingDelivery delivery) {
        return offer(delivery, null);
    }

    /**
     * Queues a message whose publisher waits for it ({@code receipt}, or null if none); false if the
     * queue is full and the message was not taken (the caller settles the receipt).
     */
    boolean offer(PendingDelivery delivery, StorageReceipt receipt) {
        if (queued.size() >= maxQueued) {
            return false;
        }
        if (receipt != null && queuedTracking == null) {
            queuedTracking = new ArrayDeque<>();
            inflightTracking = new LinkedHashMap<>();
            queued.forEach(earlier -> queuedTracking.add(UNTRACKED));
        }
        queued.add(delivery);
        if (queuedTracking != null) {
            queuedTracking.add(receipt == null ? UNTRACKED : new Tracked(receipt, System.nanoTime()));
            if (receipt != null) {
                tracked++;
            }
        }
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
        Object tracking = queuedTracking == null ? UNTRACKED : queuedTracking.poll();
        if (head.qos() == 0) {
            return head;
        }
        PendingDelivery sent = head.sentAs(nextPacketId());
        inflight.put(sent.packetId(), sent);
        if (tracking instanceof Tracked t && t.receipt != null) {
            inflightTracking.put(sent.packetId(), t);
        }
        return sent;
    }

    /** PUBACK: completes a QoS 1 message. False if no QoS 1 message holds that id. */
    boolean acknowledge(int packetId) {
        PendingDelivery d = inflight.get(packetId);
        if (d == null || d.qos() != 1) {
            return false;
        }
        inflight.remove(packetId);
        settle(packetId);
        return true;
    }

    /** PUBREC: a QoS 2 message was received (the client has it now); it awaits PUBCOMP. False if unknown. */
    boolean received(int packetId) {
        PendingDelivery d = inflight.get(packetId);
        if (d == null || d.qos() != 2) {
            return false;
        }
        inflight.put(packetId, d.asReleased());
        settle(packetId);
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
        if (packetId == 0 || inflight.remove(packetId) == null) {
            return false;
        }
        settle(packetId);
        return true;
    }

    /** The message in flight under {@code packetId} is safe, or gone on purpose: its publisher need not wait. */
    private void settle(int packetId) {
        Tracked t = inflightTracking == null ? null : inflightTracking.remove(packetId);
        if (t != null) {
            tracked--;
            t.receipt.stored();
        }
    }

    /** Whether a publisher waits for one of these messages. */
    boolean tracking() {
        return tracked > 0;
    }

    /**
     * Hands out the messages whose publishers have waited since before {@code nanos} (the client is
     * slow to acknowledge them), with their receipts, to be journaled; the messages stay queued or in
     * flight, nobody waits for them here any more.
     */
    void takeTrackedSince(long nanos, Sink sink) {
        if (tracked == 0) {
            return;
        }
        for (Iterator<Map.Entry<Integer, Tracked>> it = inflightTracking.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Tracked> e = it.next();
            Tracked t = e.getValue();
            if (t.sinceNanos - nanos > 0) {
                return; // sent in the order they came: the rest are younger, and so is the queue
            }
            it.remove();
            tracked--;
            sink.accept(inflight.get(e.getKey()), t.receipt);
        }
        Iterator<PendingDelivery> messages = queued.iterator();
        for (Object tracking : queuedTracking) {
            PendingDelivery message = messages.next();
            if (tracking instanceof Tracked t && t.receipt != null) {
                if (t.sinceNanos - nanos > 0) {
                    return;
                }
                tracked--;
                sink.accept(message, t.receipt);
                t.receipt = null;
            }
        }
    }

    /**
     * What the client has not acknowledged (and not received, for QoS 2), in order, as messages to
     * send afresh: what a session that lost this connection should still deliver.
     */
    List<PendingDelivery> unacknowledged() {
        List<PendingDelivery> all = new ArrayList<>(inflight.size() + resends.size() + queued.size());
        for (PendingDelivery d : inflight.values()) {
            if (!d.released()) {
                all.add(d.unsent());
            }
        }
        for (PendingDelivery d : resends) {
            if (!d.released()) {
                all.add(d.unsent());
            }
        }
        all.addAll(queued);
        return all;
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
                if (queuedTracking != null) {
                    queuedTracking.add(UNTRACKED);
                }
            }
        }
    }

    /** Everything not yet acknowledged, in flight first; the queue is left empty. */
    List<PendingDelivery> drain() {
        List<PendingDelivery> all = new ArrayList<>(inflight.size() + resends.size() + queued.size());
        drain((delivery, receipt) -> all.add(delivery));
        return all;
    }

    /** Everything not yet acknowledged, in flight first, with the receipts still waiting for it. */
    void drain(Sink sink) {
        for (PendingDelivery d : inflight.values()) {
            Tracked t = inflightTracking == null ? null : inflightTracking.get(d.packetId());
            sink.accept(d, t == null ? null : t.receipt);
        }
        resends.forEach(d -> sink.accept(d, null));
        Iterator<Object> tracking = queuedTracking == null ? null : queuedTracking.iterator();
        for (PendingDelivery d : queued) {
            sink.accept(d, tracking != null && tracking.next() instanceof Tracked t ? t.receipt : null);
        }
        inflight.clear();
        resends.clear();
        queued.clear();
        if (queuedTracking != null) {
            queuedTracking.clear();
            inflightTracking.clear();
        }
        tracked = 0;
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
