package io.shoal.bench.scenario;

import io.netty.buffer.ByteBuf;
import io.shoal.bench.client.Payloads;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

/**
 * One persistent session's move in a {@link TakeoverRun}: what its new connection received and
 * when, and whether the old connection closed. Messages are numbered as the run's burst numbers
 * them: message {@code n} of the burst went to session {@code n % sessions}; numbers from
 * {@code sessions * messages} on are the messages published after each CONNACK, one per session.
 * Events arrive on several event loops, hence the synchronisation.
 */
final class MovingSession {

    private final int index;
    private final int sessions;
    private final int messages;
    private final boolean expectOldClosed;
    private final BitSet pendingReceived = new BitSet();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private long connectSentAt;
    private long connAckAt;
    private boolean connAcked;
    private boolean sessionPresent;
    private long oldClosedAt;
    private boolean oldClosed;
    private long lastPendingAt;
    private long afterLatencyNanos = -1;
    private long duplicates;

    /**
     * @param messages        burst messages this session must receive again on its new connection
     * @param expectOldClosed a live takeover: the old connection must be closed by the broker
     */
    MovingSession(int index, int sessions, int messages, boolean expectOldClosed) {
        this.index = index;
        this.sessions = sessions;
        this.messages = messages;
        this.expectOldClosed = expectOldClosed;
    }

    int index() {
        return index;
    }

    /** Number of the message published to this session after its CONNACK. */
    long afterSequence() {
        return (long) sessions * messages + index;
    }

    /** Completes once everything expected has happened; never fails (a timeout leaves it incomplete). */
    CompletableFuture<Void> done() {
        return done;
    }

    /** The new connection's CONNECT was written at {@code sentAt} and answered at {@code ackAt}. */
    synchronized void connAcked(long sentAt, long ackAt, boolean present) {
        connectSentAt = sentAt;
        connAckAt = ackAt;
        sessionPresent = present;
        connAcked = true;
        lastPendingAt = connAckAt; // with nothing pending, the last pending message is the CONNACK
        checkDone();
    }

    synchronized void oldClosed(long at) {
        oldClosedAt = at;
        oldClosed = true;
        checkDone();
    }

    /** A message the new connection received at {@code at}; probes and foreign messages are ignored. */
    synchronized void onMessage(ByteBuf payload, long at) {
        if (!Payloads.isTagged(payload)) {
            return;
        }
        long sequence = Payloads.sequence(payload);
        if (sequence == afterSequence()) {
            if (afterLatencyNanos >= 0) {
                duplicates++;
            } else {
                afterLatencyNanos = at - Payloads.sentNanos(payload);
            }
        } else if (sequence < (long) sessions * messages && sequence % sessions == index) {
            int n = (int) (sequence / sessions);
            if (pendingReceived.get(n)) {
                duplicates++;
            } else {
                pendingReceived.set(n);
                lastPendingAt = Math.max(lastPendingAt, at);
            }
        }
        checkDone();
    }

    private void checkDone() {
        if (connAcked && pendingReceived.cardinality() == messages && afterLatencyNanos >= 0
                && (oldClosed || !expectOldClosed)) {
            done.complete(null);
        }
    }

    synchronized boolean connAcked() {
        return connAcked;
    }

    synchronized boolean sessionPresent() {
        return sessionPresent;
    }

    /** CONNECT written to CONNACK received, on the new connection. */
    synchronized long connAckNanos() {
        return connAckAt - connectSentAt;
    }

    synchronized boolean oldClosed() {
        return oldClosed;
    }

    /** CONNECT written on the new connection to the old connection closed. */
    synchronized long oldClosedNanos() {
        return oldClosedAt - connectSentAt;
    }

    /** True once all burst messages arrived on the new connection. */
    synchronized boolean allPendingReceived() {
        return pendingReceived.cardinality() == messages;
    }

    synchronized int pendingMissing() {
        return messages - pendingReceived.cardinality();
    }

    /** CONNECT written to the last burst message received on the new connection. */
    synchronized long lastPendingNanos() {
        return lastPendingAt - connectSentAt;
    }

    synchronized boolean afterReceived() {
        return afterLatencyNanos >= 0;
    }

    /** PUBLISH of the message sent after the CONNACK to its arrival on the new connection. */
    synchronized long afterLatencyNanos() {
        return afterLatencyNanos;
    }

    synchronized long duplicates() {
        return duplicates;
    }
}
