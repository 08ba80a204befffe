package io.shoal.cluster.delivery;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import io.shoal.cluster.delivery.ReceiptRef.ReceiptSettled;
import io.shoal.node.session.StorageReceipt;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storage receipts of this node's publishers that wait for a store elsewhere (a session entity,
 * possibly on another node, or another node's delivery), by id. An answer that never comes (its node
 * died) is forgotten once the publisher has given up on it.
 */
public final class AwaitedReceipts {

    private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    private record Awaited(StorageReceipt receipt, long deadlineMillis) {
    }

    private final Map<Long, Awaited> awaited = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final long timeoutMillis;
    private final ActorRef<ReceiptSettled> replies;

    private AwaitedReceipts(ActorSystem<?> system, Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
        this.replies = system.systemActorOf(answers(), "shoal-receipts", Props.empty());
    }

    /** @param timeout how long a publisher waits for its stores (shoal.session.request-timeout) */
    public static AwaitedReceipts start(ActorSystem<?> system, Duration timeout) {
        return new AwaitedReceipts(system, timeout);
    }

    /** Registers one expected store on {@code receipt} (the caller has called expectStore). */
    public ReceiptRef await(StorageReceipt receipt) {
        long id = ids.incrementAndGet();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        awaited.put(id, new Awaited(receipt, deadline));
        return new ReceiptRef(replies, id, deadline);
    }

    /** Stores awaited now. */
    public int size() {
        return awaited.size();
    }

    private Behavior<ReceiptSettled> answers() {
        return Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(SWEEP, SWEEP_INTERVAL);
            return Behaviors.receiveMessage(answer -> {
                if (answer == SWEEP) {
                    long now = System.currentTimeMillis();
                    awaited.values().removeIf(a -> now > a.deadlineMillis());
                } else {
                    Awaited a = awaited.remove(answer.id());
                    if (a != null) {
                        if (answer.stored()) {
                            a.receipt().stored();
                        } else {
                            a.receipt().failed();
                        }
                    }
                }
                return Behaviors.same();
            });
        });
    }

    /** The timer's message: forget what nobody waits for any more. Never sent by another node. */
    private static final ReceiptSettled SWEEP = new ReceiptSettled(-1, false);
}
