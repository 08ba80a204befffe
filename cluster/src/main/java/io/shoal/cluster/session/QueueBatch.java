package io.shoal.cluster.session;

import io.shoal.cluster.delivery.ReceiptRef;
import io.shoal.node.session.PendingDelivery;
import io.shoal.persistence.session.SessionEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Messages a session entity has accepted for its offline queue, journaled together: those that arrive
 * while one write is under way form the next. Each message's receipt (null when nobody waits) settles
 * when its write has succeeded, or fails if the entity stops before.
 */
final class QueueBatch {

    private List<SessionEvent> events = new ArrayList<>();
    private List<ReceiptRef> receipts = new ArrayList<>();
    private List<ReceiptRef> writing = List.of();

    void add(PendingDelivery delivery, ReceiptRef receipt) {
        events.add(new SessionEvent.MessageQueued(delivery));
        if (receipt != null) {
            receipts.add(receipt);
        }
    }

    int size() {
        return events.size();
    }

    boolean isEmpty() {
        return events.isEmpty();
    }

    /** The events to write now; the batch starts over empty. */
    List<SessionEvent> startWrite() {
        List<SessionEvent> toWrite = events;
        writing = receipts;
        events = new ArrayList<>();
        receipts = new ArrayList<>();
        return toWrite;
    }

    /** The events of {@link #startWrite()} are journaled. */
    void written() {
        writing.forEach(ReceiptRef::stored);
        writing = List.of();
    }

    /** The entity stops (a journal failure stops it): nothing accepted so far will be written. */
    void abandon() {
        writing.forEach(ReceiptRef::failed);
        receipts.forEach(ReceiptRef::failed);
        writing = List.of();
        receipts = new ArrayList<>();
        events = new ArrayList<>();
    }
}
