package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.shoal.node.delivery.MessageRouter;
import io.shoal.node.delivery.RetainedMessages;
import io.shoal.node.delivery.RetainedStore;
import io.shoal.node.delivery.SessionRoute;
import io.shoal.node.delivery.RemoteRoutes;
import io.shoal.node.delivery.SessionRoutes;
import io.shoal.node.delivery.ShareStrategy;
import io.shoal.node.delivery.SharedSubscriptions;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscriber;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The per-subscriber delivery step of the publish path (docs/architecture.md, "The data path",
 * steps 2 to 4) for one QoS 1 PUBLISH with {@code subscribers} online subscribers on its topic.
 * Lives in {@code io.shoal.node.protocol} to reach the package-private {@link OutboundQueue} and
 * {@link PacketFactory}.
 *
 * <p>Included: {@link MessageRouter#publish} (topic match in a small {@link SubscriptionIndex},
 * merge per route, {@link SessionRoute#deliver} under the route's monitor) into a {@link Subscriber}
 * that appends a {@link PendingDelivery} under its monitor, bounded like the connection's inbox.
 * {@code routeAndSend} adds the subscriber side of {@code MqttConnection.drainInbox} and
 * {@code pump}: each message is offered to the subscriber's {@link OutboundQueue} (Shoal's default
 * window of 32 and queue of 1000), polled with a packet id assigned, counted as sent and turned
 * into an MQTT 3.1.1 PUBLISH by {@link PacketFactory#publish}; the client's PUBACK is applied right after the poll
 * ({@link OutboundQueue#acknowledge}), so the window never fills.
 *
 * <p>Not included: the event-loop hop from the publisher's thread to each subscriber's event loop
 * (the real inbox schedules a drain task), the channel write, the encoder (see
 * {@code PublishCodecBenchmark}), the flush and the socket, and any contention: everything runs on
 * one thread. The time is per PUBLISH; divide by {@code subscribers} for the cost per subscriber.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed, pre-touched heap (see SubscriptionIndexBenchmark).
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class DeliveryBenchmark {

    private static final int MAX_INFLIGHT = 32;
    private static final int MAX_QUEUED = 1000;
    private static final String FILTER = "fleet/eu/+/telemetry";
    private static final String TOPIC = "fleet/eu/device-12345/telemetry";

    @Param({"1", "10", "100"})
    public int subscribers;

    private final BrokerMetrics metrics = new BrokerMetrics();
    private final Publication publication = new Publication(TOPIC, new byte[64], 1, false);
    private final PacketFactory packets = PacketFactory.initial(false);
    private MessageRouter router;
    private Inbox[] inboxes;
    private OutboundQueue[] queues;

    @Setup(Level.Trial)
    public void setUp() {
        SubscriptionIndex<SessionRoute, Subscription> index = new SubscriptionIndex<>();
        SharedSubscriptions shared = new SharedSubscriptions(ShareStrategy.ROUND_ROBIN, RemoteRoutes.NONE);
        SessionRoutes routes = new SessionRoutes(index, shared, RemoteRoutes.NONE, metrics);
        router = new MessageRouter(index, shared, new RetainedMessages(metrics, RetainedStore.NONE), RemoteRoutes.NONE);
        inboxes = new Inbox[subscribers];
        queues = new OutboundQueue[subscribers];
        Object owner = new Object();
        for (int i = 0; i < subscribers; i++) {
            inboxes[i] = new Inbox();
            queues[i] = new OutboundQueue(MAX_INFLIGHT, MAX_QUEUED);
            SessionRoute route = routes.claim("client-" + i, owner, inboxes[i], true);
            route.subscribe(owner, new Subscription(FILTER, 1));
        }
        router.publish(publication);
        for (Inbox inbox : inboxes) {
            if (inbox.messages.size() != 1 || inbox.messages.peek().qos() != 1) {
                throw new IllegalStateException("each subscriber should have received the message once at QoS 1");
            }
            inbox.messages.clear();
        }
    }

    /** Publisher side only: route the message into every subscriber's inbox, then empty the inboxes. */
    @Benchmark
    public void route() {
        router.publish(publication);
        for (Inbox inbox : inboxes) {
            inbox.take().clear();
        }
    }

    /** Publisher side, then each subscriber's inbox drained through its outbound queue into a PUBLISH. */
    @Benchmark
    public void routeAndSend(Blackhole blackhole) {
        router.publish(publication);
        for (int i = 0; i < subscribers; i++) {
            ArrayDeque<PendingDelivery> batch = inboxes[i].take();
            OutboundQueue queue = queues[i];
            for (PendingDelivery delivery : batch) {
                if (!queue.offer(delivery)) {
                    metrics.increment(Counter.DROPPED_QUEUE_FULL);
                }
            }
            batch.clear();
            PendingDelivery next;
            while ((next = queue.poll()) != null) {
                MqttPublishMessage packet = packets.publish(next, false, 0);
                metrics.increment(Counter.MESSAGES_SENT);
                blackhole.consume(packet);
                packet.release(); // the encoder's job in the pipeline
                queue.acknowledge(next.packetId());
            }
        }
    }

    /**
     * Like the connection's inbox: appends under its monitor, bounded, but with a preallocated
     * queue that the benchmark empties after taking it, and no drain task scheduled.
     */
    private final class Inbox implements Subscriber {
        private final ArrayDeque<PendingDelivery> messages = new ArrayDeque<>();

        @Override
        public void enqueue(PendingDelivery delivery, StorageReceipt receipt) {
            synchronized (this) {
                if (messages.size() >= MAX_QUEUED) {
                    metrics.increment(Counter.DROPPED_QUEUE_FULL);
                    return;
                }
                messages.add(delivery);
            }
        }

        synchronized ArrayDeque<PendingDelivery> take() {
            return messages;
        }
    }
}
