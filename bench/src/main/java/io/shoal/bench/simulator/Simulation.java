package io.shoal.bench.simulator;

import io.netty.buffer.Unpooled;
import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.client.LoadClient;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Plays the devices of a simulation file against a broker: connects them at a capped rate, and has
 * each publish a fresh reading on its interval (starting at a random offset, so a building's worth
 * of sensors does not fire in lock-step). Prints progress once a second.
 */
public final class Simulation {

    /** What a simulation did. */
    public record Summary(int devices, int connected, int failed, long published, long skipped) {
    }

    private final List<Device> devices = new ArrayList<>();
    private final LongAdder published = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final Random random;

    public Simulation(List<DeviceGroup> groups, long seed) {
        this.random = new Random(seed);
        for (DeviceGroup group : groups) {
            for (int id = 0; id < group.count(); id++) {
                devices.add(new Device(group, id, random));
            }
        }
    }

    /** Scales every group so that the total is about {@code total} devices (each group keeps at least one). */
    public static List<DeviceGroup> scale(List<DeviceGroup> groups, int total) {
        int current = groups.stream().mapToInt(DeviceGroup::count).sum();
        return groups.stream().map(g -> g.withCount(Math.max(1, Math.round((float) g.count() * total / current))))
                .toList();
    }

    public int size() {
        return devices.size();
    }

    /**
     * Runs until {@code duration} has passed (or forever if it is zero, until the thread is
     * interrupted), then disconnects every device.
     */
    public Summary run(ClientFleet fleet, ClientOptions options, double connectsPerSecond, Duration duration,
                       PrintStream progress) throws InterruptedException {
        List<LoadClient> clients = new ArrayList<>(devices.size());
        long start = System.nanoTime();
        for (int i = 0; i < devices.size(); i++) {
            if (connectsPerSecond > 0) {
                long wait = start + (long) (i * 1e9 / connectsPerSecond) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the connects, as a fleet coming online would
                }
            }
            Device device = devices.get(i);
            LoadClient client = fleet.connect(device.clientId(), true, options);
            client.connected().thenAccept(c -> startPublishing(c, device));
            clients.add(client);
        }
        long end = duration.isZero() ? Long.MAX_VALUE : start + duration.toNanos();
        long lastPublished = 0;
        try {
            while (System.nanoTime() < end) {
                TimeUnit.SECONDS.sleep(1);
                long now = published.sum();
                progress.printf(Locale.ROOT, "%6.0fs  devices %d/%d connected  published %,d (%,d/s)  skipped %,d%n",
                        (System.nanoTime() - start) / 1e9, connectedCount(clients), devices.size(), now,
                        now - lastPublished, skipped.sum());
                lastPublished = now;
            }
        } finally {
            List<CompletableFuture<Void>> closed = clients.stream().map(LoadClient::disconnect).toList();
            try {
                CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                progress.println("not every device disconnected cleanly: " + e);
            }
        }
        int failed = (int) clients.stream().filter(c -> c.connected().isCompletedExceptionally()).count();
        return new Summary(devices.size(), clients.size() - failed, failed, published.sum(), skipped.sum());
    }

    private void startPublishing(LoadClient client, Device device) {
        long interval = device.group().interval().toNanos();
        long firstDelay = (long) (random.nextDouble() * interval);
        int qos = device.group().qos();
        client.channel().eventLoop().scheduleAtFixedRate(() -> {
            if (!client.channel().isActive()) {
                return;
            }
            if (!client.canPublish(qos)) {
                skipped.increment(); // the broker is not keeping up with this device
                return;
            }
            client.publish(device.topic(), qos, device.group().retain(), Unpooled.wrappedBuffer(device.nextPayload()));
            client.flush();
            published.increment();
        }, firstDelay, interval, TimeUnit.NANOSECONDS);
    }

    private static int connectedCount(List<LoadClient> clients) {
        return (int) clients.stream().filter(c -> c.connected().isDone() && !c.connected().isCompletedExceptionally()
                && c.channel() != null && c.channel().isActive()).count();
    }
}
