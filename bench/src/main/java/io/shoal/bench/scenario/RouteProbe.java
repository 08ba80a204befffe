package io.shoal.bench.scenario;

import io.netty.buffer.ByteBuf;
import io.shoal.bench.client.LoadClient;
import io.shoal.bench.client.Payloads;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits until messages find their subscribers before anything is measured. In a cluster a new
 * subscription reaches the other nodes' routing tables by gossip, a round or so after its SUBACK;
 * a message published before that finds no subscriber there. So each route (a publisher's topic)
 * gets a QoS 0 probe every {@link #INTERVAL} until every subscriber it must reach has received one.
 * Probes are never counted as traffic.
 */
final class RouteProbe {

    /** A topic a publisher publishes to, and the indexes of the subscribers its messages must reach. */
    record Route(LoadClient publisher, String topic, BitSet subscribers) {
    }

    private static final Duration INTERVAL = Duration.ofMillis(100);

    private final List<Route> routes;
    private final BitSet[] reached;
    private final AtomicInteger pending = new AtomicInteger();

    RouteProbe(List<Route> routes) {
        this.routes = List.copyOf(routes);
        this.reached = new BitSet[routes.size()];
        for (int r = 0; r < routes.size(); r++) {
            reached[r] = new BitSet();
            pending.addAndGet(routes.get(r).subscribers().cardinality());
        }
    }

    /** Subscriber {@code subscriber} received {@code payload}: true if it is a probe, which is then not traffic. */
    boolean onMessage(int subscriber, ByteBuf payload) {
        if (!Payloads.isProbe(payload)) {
            return false;
        }
        int route = Payloads.probeRoute(payload);
        if (route >= 0 && route < routes.size() && routes.get(route).subscribers().get(subscriber)) {
            synchronized (reached[route]) {
                if (!reached[route].get(subscriber)) {
                    reached[route].set(subscriber);
                    pending.decrementAndGet();
                }
            }
        }
        return true;
    }

    /** Route and subscriber pairs no probe has shown yet. */
    int pending() {
        return pending.get();
    }

    /** Probes the routes not yet complete until all are; fails after {@code limit}. */
    void await(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (pending() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(pending() + " route/subscriber pairs still receive nothing after "
                        + limit.toSeconds() + " s of probing");
            }
            for (int r = 0; r < routes.size(); r++) {
                if (!complete(r)) {
                    send(r);
                }
            }
            TimeUnit.NANOSECONDS.sleep(INTERVAL.toNanos()); // the probing rate, not synchronisation
        }
    }

    private boolean complete(int route) {
        synchronized (reached[route]) {
            return reached[route].equals(routes.get(route).subscribers());
        }
    }

    private void send(int route) {
        LoadClient client = routes.get(route).publisher();
        client.channel().eventLoop().execute(() -> {
            if (client.canPublish(0)) {
                client.publish(routes.get(route).topic(), 0, false, Payloads.probe(client.channel().alloc(), route));
                client.flush();
            }
        });
    }
}
