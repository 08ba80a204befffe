package io.shoal.node.protocol;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundQueueTest {

    /** A queued message; the topic names it in assertions. */
    private static PendingDelivery message(String name, int qos) {
        return PendingDelivery.queued(new Publication(name, new byte[] {1}, qos, false), qos, false);
    }

    private static String name(PendingDelivery d) {
        return d.publication().topic();
    }

    private static List<String> names(Iterable<PendingDelivery> deliveries) {
        List<String> names = new ArrayList<>();
        deliveries.forEach(d -> names.add(name(d)));
        return names;
    }

    private static PendingDelivery offerAndPoll(OutboundQueue queue, String name, int qos) {
        assertTrue(queue.offer(message(name, qos)));
        PendingDelivery sent = queue.poll();
        assertNotNull(sent, name + " was not handed out");
        assertEquals(name, name(sent));
        return sent;
    }

    @Test
    void constructorRejectsWindowsOutsideThePacketIdRange() {
        assertThrows(IllegalArgumentException.class, () -> new OutboundQueue(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new OutboundQueue(65536, 10));
    }

    @Test
    void pollOnAnEmptyQueueReturnsNull() {
        assertNull(new OutboundQueue(2, 10).poll());
    }

    @Test
    void windowLimitsQos1MessagesUntilAcknowledged() {
        OutboundQueue queue = new OutboundQueue(2, 10);
        queue.offer(message("m1", 1));
        queue.offer(message("m2", 1));
        queue.offer(message("m3", 1));

        PendingDelivery first = queue.poll();
        PendingDelivery second = queue.poll();
        assertEquals(List.of("m1", "m2"), List.of(name(first), name(second)));
        assertNull(queue.poll(), "window of two is full");
        assertEquals(2, queue.inFlightCount());
        assertEquals(1, queue.queuedCount());

        assertTrue(queue.acknowledge(first.packetId()));
        PendingDelivery third = queue.poll();
        assertEquals("m3", name(third));
        assertTrue(third.inFlight());
        assertFalse(third.packetId() == second.packetId(), "id still in flight reused");
        assertNull(queue.poll());
        assertEquals(List.of("m2", "m3"), names(queue.inFlight()));
    }

    @Test
    void qos0TakesNoWindowSlotButWaitsBehindABlockedHead() {
        OutboundQueue queue = new OutboundQueue(1, 10);
        PendingDelivery a = offerAndPoll(queue, "a", 1);
        // Window full, but a QoS 0 head still goes out, without a packet id and without a slot.
        PendingDelivery b = offerAndPoll(queue, "b", 0);
        assertEquals(0, b.packetId());
        assertEquals(1, queue.inFlightCount());
        assertEquals(List.of("a"), names(queue.inFlight()));

        queue.offer(message("c", 1));
        queue.offer(message("d", 0));
        assertNull(queue.poll(), "d must not overtake the blocked QoS 1 message c");
        assertEquals(2, queue.queuedCount());

        assertTrue(queue.acknowledge(a.packetId()));
        assertEquals("c", name(queue.poll()));
        assertEquals("d", name(queue.poll()));
        assertNull(queue.poll());
    }

    @Test
    void packetIdsStartAtOneAndIncrease() {
        OutboundQueue queue = new OutboundQueue(3, 10);
        assertEquals(1, offerAndPoll(queue, "a", 1).packetId());
        assertEquals(2, offerAndPoll(queue, "b", 2).packetId());
        assertEquals(3, offerAndPoll(queue, "c", 1).packetId());
    }

    @Test
    void packetIdsWrapAroundAndSkipTheIdsStillInFlight() {
        OutboundQueue queue = new OutboundQueue(2, 10);
        PendingDelivery old = offerAndPoll(queue, "old", 1);
        assertEquals(1, old.packetId());
        // Twice around the id space while "old" keeps id 1: ids go 2..65535, then skip 1.
        for (int k = 0; k < 2 * 65534; k++) {
            PendingDelivery d = offerAndPoll(queue, "m" + k, 1);
            assertEquals(k % 65534 + 2, d.packetId(), "message " + k);
            assertTrue(queue.acknowledge(d.packetId()));
        }
        assertEquals(List.of("old"), names(queue.inFlight()));
        // The loop ended on 65535; once freed, id 1 comes next.
        assertTrue(queue.acknowledge(1));
        assertEquals(1, offerAndPoll(queue, "wrapped", 1).packetId());
    }

    @Test
    void acknowledgeOnlyCompletesQos1Messages() {
        OutboundQueue queue = new OutboundQueue(5, 10);
        PendingDelivery q1 = offerAndPoll(queue, "q1", 1);
        PendingDelivery q2 = offerAndPoll(queue, "q2", 2);

        assertFalse(queue.acknowledge(q2.packetId()), "PUBACK for a QoS 2 message");
        assertFalse(queue.acknowledge(999), "unknown id");
        assertEquals(2, queue.inFlightCount());

        assertTrue(queue.acknowledge(q1.packetId()));
        assertFalse(queue.acknowledge(q1.packetId()), "second PUBACK");
        assertEquals(List.of("q2"), names(queue.inFlight()));
    }

    @Test
    void qos2CompletesWithReceivedThenComplete() {
        OutboundQueue queue = new OutboundQueue(1, 10);
        PendingDelivery d = offerAndPoll(queue, "q2", 2);
        queue.offer(message("next", 1));
        int id = d.packetId();

        assertFalse(queue.complete(id), "PUBCOMP before PUBREC");
        assertFalse(queue.received(999), "unknown id");
        assertTrue(queue.received(id));
        PendingDelivery released = queue.inFlight().iterator().next();
        assertTrue(released.released());
        assertEquals(id, released.packetId());
        assertNull(queue.poll(), "a released QoS 2 message still holds its slot");

        assertTrue(queue.complete(id));
        assertFalse(queue.complete(id), "second PUBCOMP");
        assertEquals(0, queue.inFlightCount());
        assertEquals("next", name(queue.poll()));
    }

    @Test
    void receivedAndCompleteIgnoreQos1Messages() {
        OutboundQueue queue = new OutboundQueue(2, 10);
        PendingDelivery d = offerAndPoll(queue, "q1", 1);
        assertFalse(queue.received(d.packetId()));
        assertFalse(queue.complete(d.packetId()));
        assertEquals(1, queue.inFlightCount());
        assertFalse(queue.inFlight().iterator().next().released());
    }

    @Test
    void drainReturnsInFlightInSendOrderThenQueuedAndEmptiesTheQueue() {
        OutboundQueue queue = new OutboundQueue(4, 10);
        PendingDelivery a = offerAndPoll(queue, "a", 2);
        offerAndPoll(queue, "b", 1);
        PendingDelivery c = offerAndPoll(queue, "c", 1);
        offerAndPoll(queue, "d", 1);
        assertTrue(queue.acknowledge(c.packetId()));
        // PUBREC must not move "a" behind the others.
        assertTrue(queue.received(a.packetId()));
        offerAndPoll(queue, "e", 1);
        queue.offer(message("f", 1));
        queue.offer(message("g", 0));

        List<PendingDelivery> drained = queue.drain();
        assertEquals(List.of("a", "b", "d", "e", "f", "g"), names(drained));
        assertTrue(drained.get(0).released());
        assertEquals(List.of(true, true, true, true, false, false),
                drained.stream().map(PendingDelivery::inFlight).toList());

        assertEquals(0, queue.inFlightCount());
        assertEquals(0, queue.queuedCount());
        assertNull(queue.poll());
        assertEquals(List.of(), queue.drain());
    }

    @Test
    void restoredInFlightMessagesAreResentFirstWithTheirIdsAndNewIdsContinueAfterThem() {
        OutboundQueue queue = new OutboundQueue(4, 10);
        queue.restore(List.of(
                message("r7", 1).sentAs(7),
                message("r8", 2).sentAs(8).asReleased(),
                message("q", 1)));
        assertEquals(0, queue.inFlightCount());
        assertEquals(3, queue.queuedCount());

        assertTrue(queue.nextIsResend());
        assertEquals(7, queue.poll().packetId());
        assertTrue(queue.nextIsResend());
        PendingDelivery released = queue.poll();
        assertEquals(8, released.packetId());
        assertTrue(released.released(), "a released QoS 2 message gets its PUBREL again");
        assertFalse(queue.nextIsResend());

        assertTrue(queue.acknowledge(7));
        assertTrue(queue.complete(8), "restored released QoS 2 message awaits only PUBCOMP");
        assertEquals(9, queue.poll().packetId());
        assertEquals(10, offerAndPoll(queue, "n", 1).packetId());
    }

    @Test
    void resendsWaitForTheWindowOfTheNewConnection() {
        OutboundQueue queue = new OutboundQueue(1, 10);
        queue.restore(List.of(message("a", 1).sentAs(1), message("b", 1).sentAs(2), message("c", 1)));
        assertEquals("a", name(queue.poll()));
        assertNull(queue.poll(), "a window of one (the client's Receive Maximum) is full");
        assertTrue(queue.acknowledge(1));
        PendingDelivery b = queue.poll();
        assertEquals(2, b.packetId(), "re-sent with its identifier");
        assertTrue(queue.acknowledge(2));
        assertEquals(3, queue.poll().packetId());
    }

    @Test
    void restoredIdsAreNeverHandedOutAgain() {
        OutboundQueue queue = new OutboundQueue(10, 10);
        // Send order need not be id order: the session was sent 5, then 3 (after a wrap or an old restore).
        queue.restore(List.of(message("r5", 1).sentAs(5), message("r3", 1).sentAs(3)));
        assertEquals(5, queue.poll().packetId());
        assertEquals(3, queue.poll().packetId());
        Set<Integer> ids = new HashSet<>(Set.of(5, 3));
        for (int i = 0; i < 8; i++) {
            int id = offerAndPoll(queue, "n" + i, 1).packetId();
            assertTrue(id >= 1 && id <= 65535, "id " + id);
            assertTrue(ids.add(id), "id " + id + " is already in flight: " + ids);
        }
        assertEquals(10, queue.inFlightCount());
    }

    @Test
    void restoredIdsNearTheTopWrapWithoutColliding() {
        OutboundQueue queue = new OutboundQueue(5, 10);
        queue.restore(List.of(message("a", 1).sentAs(65534), message("b", 1).sentAs(65535), message("c", 1).sentAs(1)));
        for (int i = 0; i < 3; i++) {
            queue.poll();
        }
        assertEquals(2, offerAndPoll(queue, "n1", 1).packetId());
        assertEquals(3, offerAndPoll(queue, "n2", 1).packetId());
    }

    @Test
    void drainReturnsWaitingResendsWithTheirIds() {
        OutboundQueue queue = new OutboundQueue(1, 10);
        queue.restore(List.of(message("a", 1).sentAs(4), message("b", 1).sentAs(9), message("c", 1)));
        queue.poll();
        List<PendingDelivery> all = queue.drain();
        assertEquals(List.of("a", "b", "c"), names(all));
        assertEquals(List.of(4, 9, 0), all.stream().map(PendingDelivery::packetId).toList());
    }

    @Test
    void restoredQueuedMessagesMayExceedTheQueueLimit() {
        OutboundQueue queue = new OutboundQueue(1, 2);
        queue.restore(List.of(message("a", 0), message("b", 1), message("c", 1)));
        assertEquals(3, queue.queuedCount());
        assertFalse(queue.offer(message("d", 0)));
        assertEquals(List.of("a", "b", "c"), names(queue.drain()));
    }

    @Test
    void offerRefusesWhenTheQueueIsFull() {
        OutboundQueue queue = new OutboundQueue(1, 2);
        assertTrue(queue.offer(message("a", 1)));
        assertTrue(queue.offer(message("b", 0)));
        assertFalse(queue.offer(message("c", 1)));
        assertFalse(queue.offer(message("d", 0)), "QoS 0 messages count against the limit too");
        assertEquals(2, queue.queuedCount());

        // Messages in flight do not count against the queue limit.
        assertEquals("a", name(queue.poll()));
        assertTrue(queue.offer(message("e", 1)));
        assertFalse(queue.offer(message("f", 1)));
        assertEquals(List.of("a", "b", "e"), names(queue.drain()));
    }

    @Test
    void discardEndsAFlowAndFreesItsSlot() {
        OutboundQueue queue = new OutboundQueue(1, 10);
        PendingDelivery refused = offerAndPoll(queue, "refused", 2);
        queue.offer(message("next", 1));
        assertNull(queue.poll(), "the window is full");
        assertTrue(queue.discard(refused.packetId()));
        assertFalse(queue.discard(refused.packetId()), "already gone");
        assertEquals("next", name(queue.poll()));
        assertFalse(queue.discard(0), "a QoS 0 message holds no slot");
    }
    // ---- publishers waiting for messages to be safe ------------------------------------------------

    /** A publisher's receipt with one store expected, as a tracking inbox hands it over. */
    private static StorageReceipt waiting(List<String> settled, String name) {
        StorageReceipt receipt = new StorageReceipt(r -> settled.add(name + (r.succeeded() ? "" : " failed")));
        receipt.expectStore();
        receipt.seal();
        return receipt;
    }

    @Test
    void aPublisherWaitsUntilTheClientAcknowledgesOrReceivesTheMessage() {
        List<String> settled = new ArrayList<>();
        OutboundQueue queue = new OutboundQueue(10, 10);
        queue.offer(message("q1", 1), waiting(settled, "q1"));
        queue.offer(message("q2", 2), waiting(settled, "q2"));
        PendingDelivery q1 = queue.poll();
        PendingDelivery q2 = queue.poll();
        assertTrue(settled.isEmpty(), "sent is not safe");
        assertTrue(queue.tracking());

        queue.acknowledge(q1.packetId());
        queue.received(q2.packetId()); // PUBREC: the client owns a QoS 2 message from here on

        assertEquals(List.of("q1", "q2"), settled);
        assertFalse(queue.tracking());
        queue.complete(q2.packetId());
        assertEquals(2, settled.size(), "settled once");
    }

    @Test
    void aMessageDiscardedOrDrainedIsHandedOverWithItsReceipt() {
        List<String> settled = new ArrayList<>();
        OutboundQueue queue = new OutboundQueue(1, 10);
        queue.offer(message("plain", 1));
        queue.offer(message("refused", 1), waiting(settled, "refused"));
        queue.offer(message("waiting", 1), waiting(settled, "waiting"));
        queue.acknowledge(queue.poll().packetId());
        queue.discard(queue.poll().packetId()); // PUBREC with an error, or too large for the client
        assertEquals(List.of("refused"), settled, "dropped on purpose: nobody waits for it");

        List<String> drained = new ArrayList<>();
        List<StorageReceipt> receipts = new ArrayList<>();
        queue.drain((d, receipt) -> {
            drained.add(name(d));
            if (receipt != null) {
                receipts.add(receipt);
            }
        });
        assertEquals(List.of("waiting"), drained);
        assertEquals(1, receipts.size(), "the receipt goes with the message to the session");
        assertFalse(queue.tracking());
    }

    @Test
    void messagesWaitedForTooLongAreHandedOutOnceInTheOrderTheyCame() {
        List<String> settled = new ArrayList<>();
        OutboundQueue queue = new OutboundQueue(1, 10);
        queue.offer(message("old-1", 1), waiting(settled, "old-1"));
        queue.offer(message("untracked", 1));
        queue.offer(message("old-2", 1), waiting(settled, "old-2"));
        PendingDelivery inFlight = queue.poll();
        long cut = System.nanoTime();
        queue.offer(message("young", 1), waiting(settled, "young"));

        List<String> slow = new ArrayList<>();
        queue.takeTrackedSince(cut, (d, receipt) -> slow.add(name(d)));
        queue.takeTrackedSince(cut, (d, receipt) -> slow.add("again " + name(d)));

        assertEquals(List.of("old-1", "old-2"), slow);
        assertTrue(queue.tracking(), "the young one is still waited for");
        queue.acknowledge(inFlight.packetId());
        assertTrue(settled.isEmpty(), "its receipt went with it to be journaled");
        assertEquals(List.of("untracked", "old-2", "young"), names(queue.unacknowledged()));
    }

    @Test
    void whatIsUnacknowledgedLeavesOutQos2MessagesTheClientHasReceived() {
        OutboundQueue queue = new OutboundQueue(10, 10);
        PendingDelivery received = offerAndPoll(queue, "received", 2);
        offerAndPoll(queue, "sent", 2);
        queue.offer(message("queued", 1));
        queue.received(received.packetId());

        List<PendingDelivery> unacknowledged = queue.unacknowledged();

        assertEquals(List.of("sent", "queued"), names(unacknowledged));
        assertTrue(unacknowledged.stream().noneMatch(PendingDelivery::inFlight), "sent afresh after a loss");
    }
}
