package io.shoal.node.session;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Whether a QoS 1 or 2 message has been stored by every offline session it was routed to, so that its
 * publisher is acknowledged only then. The publisher creates one per PUBLISH; each offline subscriber
 * {@link #expectStore() expects} a store before it hands the message on and settles it later, from any
 * thread; the publisher {@link #seal() seals} it once routing is done. Thread-safe.
 */
public final class StorageReceipt {

    /** Told once, on the thread of the last store, when a receipt settles after its seal. */
    public interface Listener {
        void settled(StorageReceipt receipt);
    }

    private static final AtomicIntegerFieldUpdater<StorageReceipt> OUTSTANDING =
            AtomicIntegerFieldUpdater.newUpdater(StorageReceipt.class, "outstanding");

    private final Listener listener;
    /** Stores not yet settled, plus one held by the publisher until {@link #seal()}. */
    private volatile int outstanding = 1;
    private volatile boolean failed;
    private volatile boolean givenUp;

    public StorageReceipt(Listener listener) {
        this.listener = listener;
    }

    /** An offline subscriber will store the message. Called before the message is handed on. */
    public void expectStore() {
        OUTSTANDING.incrementAndGet(this);
    }

    /** The message was stored, or deliberately not (dropped and counted). */
    public void stored() {
        release();
    }

    /** The message could not be stored. */
    public void failed() {
        failed = true;
        release();
    }

    /**
     * Routing is done: no store is expected any more. Returns true if the receipt is settled now, in
     * which case the listener is not told.
     */
    public boolean seal() {
        return OUTSTANDING.decrementAndGet(this) == 0;
    }

    /**
     * The publisher was told the message was not stored (its store timed out): a store that has not
     * started yet must not happen any more, or the client's retry would make a duplicate.
     */
    public void giveUp() {
        givenUp = true;
    }

    /** Whether the publisher has given up on this message (see {@link #giveUp()}). */
    public boolean givenUp() {
        return givenUp;
    }

    public boolean settled() {
        return outstanding == 0;
    }

    /** Once settled: whether every expected store succeeded. */
    public boolean succeeded() {
        return !failed;
    }

    private void release() {
        if (OUTSTANDING.decrementAndGet(this) == 0) {
            listener.settled(this);
        }
    }
}
