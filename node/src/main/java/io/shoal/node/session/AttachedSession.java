package io.shoal.node.session;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** A session while a connection holds it. Not thread-safe: called from the connection's event loop. */
public interface AttachedSession {

    /** True when an existing session was resumed (the CONNACK session present flag). */
    boolean sessionPresent();

    /** The state to resume: subscriptions to restore and messages to (re)send. */
    SessionState state();

    /**
     * How long the client may be sent messages twice because it came from another node, which
     * passes its messages on meanwhile (see {@code SessionRoute#expectHandover}); zero if it did not.
     */
    default Duration handoverWindow() {
        return Duration.ZERO;
    }

    /**
     * The connection's route is in place, with the session's subscriptions: this node routes the
     * client's messages from now on, also once it disconnects.
     */
    void routed();

    /** Where messages for the client go while it is offline; null when the session ends at disconnect. */
    Subscriber offlineSubscriber();

    /** Records new or replaced subscriptions; completes when they are safe to acknowledge. */
    CompletionStage<Void> subscribed(List<Subscription> subscriptions);

    /** Records removed subscriptions, by the filter as the client wrote it; completes when safe to acknowledge. */
    CompletionStage<Void> unsubscribed(List<String> keys);

    /**
     * Journals messages the client has been slow to acknowledge, so that they survive this node even
     * while the client is online; settles their publishers' {@code receipts} once they are journaled.
     * Until the client disconnects they stay with the connection as well. With
     * {@code replacesPending}, {@code unacknowledged} is everything the client has not acknowledged,
     * and replaces what was journaled so far (which the client may have acknowledged since).
     */
    void journal(List<PendingDelivery> unacknowledged, List<StorageReceipt> receipts, boolean replacesPending);

    /**
     * The connection has ended. {@code pending} holds the messages not yet acknowledged by the
     * client, {@code awaitingRelease} the inbound QoS 2 packet ids not yet released; {@code will} is
     * the will to publish (now or after its delay), or null when there is none or the client
     * disconnected normally; {@code expirySeconds} is the session expiry as the client left it (an
     * MQTT 5 DISCONNECT may change it). {@code receipts} are the publishers waiting for some of the
     * pending messages: they settle once the session has journaled them.
     */
    void detached(List<PendingDelivery> pending, Set<Integer> awaitingRelease, Will will, long expirySeconds,
                  DisconnectReason reason, List<StorageReceipt> receipts);
}
