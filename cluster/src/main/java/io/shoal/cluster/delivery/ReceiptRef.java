package io.shoal.cluster.delivery;

import akka.actor.typed.ActorRef;
import io.shoal.persistence.CborSerializable;

/**
 * A publisher's storage receipt as another actor (a session entity, another node) sees it: where to
 * report the outcome and until when the publisher waits. The receipt itself stays on the
 * publisher's node.
 *
 * @param deadlineMillis when the publisher gives up and is told the message was not stored; a store
 *                       that has not started by then must not happen (the client's retry would make a
 *                       duplicate). Compared with the clock of the node that checks it.
 */
public record ReceiptRef(ActorRef<ReceiptSettled> replyTo, long id, long deadlineMillis) implements CborSerializable {

    /** The message was stored, or deliberately not (dropped and counted). */
    public void stored() {
        replyTo.tell(new ReceiptSettled(id, true));
    }

    /** The message could not be stored. */
    public void failed() {
        replyTo.tell(new ReceiptSettled(id, false));
    }

    public boolean givenUp(long nowMillis) {
        return nowMillis >= deadlineMillis;
    }

    /** The outcome of one expected store. */
    public record ReceiptSettled(long id, boolean stored) implements CborSerializable {
    }
}
