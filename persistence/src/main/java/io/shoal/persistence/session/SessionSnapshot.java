package io.shoal.persistence.session;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import io.shoal.persistence.CborSerializable;

import java.util.List;
import java.util.Set;

/** An immutable copy of {@link SessionData} as stored in the snapshot store. */
public record SessionSnapshot(boolean exists, List<Subscription> subscriptions, List<PendingDelivery> pending,
                              Set<Integer> awaitingRelease, long expiresAtMillis, Will delayedWill,
                              long willAtMillis) implements CborSerializable {
}
