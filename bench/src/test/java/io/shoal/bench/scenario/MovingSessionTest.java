package io.shoal.bench.scenario;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.shoal.bench.client.Payloads;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MovingSessionTest {

    private static ByteBuf message(long sentNanos, long sequence) {
        return Payloads.encode(UnpooledByteBufAllocator.DEFAULT, 64, sentNanos, 0, sequence);
    }

    @Test
    void aLiveMoveIsDoneOnceConnAckedEveryPendingMessageAndTheLaterOneArrivedAndTheOldConnectionClosed() {
        // 3 sessions with 2 messages each: session 1 gets burst messages 1 and 4, and message 7 after its CONNACK.
        MovingSession session = new MovingSession(1, 3, 2, true);
        assertEquals(7, session.afterSequence());
        session.connAcked(1_000, 5_000, true);
        session.onMessage(message(0, 4), 6_000);
        session.onMessage(message(0, 0), 6_500); // another session's message: not counted
        session.oldClosed(3_000);
        session.onMessage(message(0, 1), 8_000);
        assertTrue(session.allPendingReceived());
        assertFalse(session.done().isDone(), "the message published after CONNACK is still missing");
        session.onMessage(message(8_500, 7), 9_000);
        assertTrue(session.done().isDone());
        assertEquals(4_000, session.connAckNanos());
        assertEquals(2_000, session.oldClosedNanos());
        assertEquals(7_000, session.lastPendingNanos());
        assertEquals(500, session.afterLatencyNanos());
        assertEquals(0, session.pendingMissing());
        assertEquals(0, session.duplicates());
    }

    @Test
    void countsSecondCopiesAndMissingMessages() {
        MovingSession session = new MovingSession(0, 2, 3, false);
        session.connAcked(0, 10, true);
        session.onMessage(message(0, 0), 20);
        session.onMessage(message(0, 0), 30);
        session.onMessage(message(0, 6), 40);
        session.onMessage(message(0, 6), 50);
        session.onMessage(Payloads.probe(UnpooledByteBufAllocator.DEFAULT, 0), 60);
        assertEquals(2, session.duplicates());
        assertEquals(2, session.pendingMissing(), "messages 2 and 4 of session 0 never came");
        assertEquals(20, session.lastPendingNanos(), "the last of those that came");
        assertFalse(session.done().isDone());
    }

    @Test
    void withNothingPendingTheLastPendingMessageIsTheConnAck() {
        MovingSession session = new MovingSession(0, 1, 0, false);
        session.connAcked(100, 400, false);
        session.onMessage(message(400, 0), 450);
        assertTrue(session.done().isDone());
        assertEquals(300, session.lastPendingNanos());
        assertFalse(session.sessionPresent());
    }
}
