package io.shoal.node.session;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Identities of messages in flight through the cluster. Random rather than counted so that nodes
 * need no coordination and publishers on many threads no shared counter; two of the messages that
 * can meet in one client's duplicate check (those of a few seconds) collide with a probability
 * of about n²/2⁶⁵.
 */
public final class MessageIds {

    private MessageIds() {
    }

    /** A new identity, never 0 (which means "none"). */
    public static long next() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }
}
