package io.shoal.bench.scenario;

import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.client.LoadClient;
import io.shoal.bench.probe.BrokerProcess;
import io.shoal.bench.report.TrafficResult;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One traffic scenario against one broker: connect subscribers and publishers, publish through a
 * warm-up and a measurement window, stop, wait for everything in flight to arrive, and account
 * for every message. Bounded in time (warm-up + window + drain limits) and in count
 * ({@code maxMessagesPerPublisher}).
 */
public final class TrafficRun {

    /**
     * @param ratePerSecond total offered rate over all publishers; 0 publishes as fast as the
     *                      windows and sockets allow
     */
    public record Settings(String brokerLabel, String host, int port, int qos, int payloadBytes, double ratePerSecond,
                           Duration warmup, Duration window, long maxMessagesPerPublisher, ClientOptions client,
                           int ioThreads, Long brokerPid) {
    }

    /** Messages a publisher keeps outstanding end to end at the maximum rate (see {@link Publisher}). */
    public static final int END_TO_END_WINDOW = 100;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);
    private static final Duration QUIET_LIMIT = Duration.ofSeconds(3);

    private final Topology topology;
    private final Settings settings;
    private final String runId = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    public TrafficRun(Topology topology, Settings settings) {
        this.topology = topology;
        this.settings = settings;
    }

    public TrafficResult run() throws Exception {
        DeliveryStats stats = new DeliveryStats(topology.subscribers(), topology.publishers());
        try (ClientFleet fleet = new ClientFleet(settings.host(), settings.port(), settings.ioThreads(), 1)) {
            List<LoadClient> subscribers = connectSubscribers(fleet, stats);
            List<LoadClient> publisherClients = connect(fleet, "pub", topology.publishers());
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            double perPublisher = settings.ratePerSecond() / topology.publishers();
            List<Publisher> publishers = new ArrayList<>();
            for (int p = 0; p < topology.publishers(); p++) {
                publishers.add(new Publisher(publisherClients.get(p), p, topology.topic(p), settings.qos(),
                        settings.payloadBytes(), perPublisher, END_TO_END_WINDOW, fedSubscribers(p),
                        (double) p / topology.publishers(), settings.maxMessagesPerPublisher(), start));
            }
            stats.onFirstDelivery(p -> publishers.get(p).onDelivered());
            Optional<BrokerProcess> broker = brokerProcess();
            long windowStart = start + settings.warmup().toNanos();
            long windowEnd = windowStart + settings.window().toNanos();
            stats.window(windowStart, windowEnd);

            publishers.forEach(Publisher::begin);
            sleepUntil(windowStart);
            Double cpuBefore = broker.map(BrokerProcess::cpuSeconds).orElse(null);
            sleepUntil(windowEnd);
            Double cpuAfter = broker.map(BrokerProcess::cpuSeconds).orElse(null);
            Long rss = broker.map(BrokerProcess::rssBytes).orElse(null);
            for (Future<?> stopped : publishers.stream().map(Publisher::stop).toList()) {
                stopped.get(10, TimeUnit.SECONDS); // from here on, what was sent is final
            }

            awaitCondition(() -> publishers.stream().allMatch(Publisher::drained), DRAIN_LIMIT);
            long expected = expected(publishers);
            Progress.await(() -> uniqueReceived(stats), expected, DRAIN_LIMIT, QUIET_LIMIT);

            TrafficResult result = account(publishers, stats, expected, cpuBefore, cpuAfter, rss);
            disconnectAll(subscribers);
            disconnectAll(publisherClients);
            return result;
        }
    }

    private List<LoadClient> connectSubscribers(ClientFleet fleet, DeliveryStats stats) throws Exception {
        List<LoadClient> subscribers = connect(fleet, "sub", topology.subscribers());
        List<CompletableFuture<List<Integer>>> granted = new ArrayList<>();
        for (int s = 0; s < subscribers.size(); s++) {
            int index = s;
            LoadClient client = subscribers.get(s);
            client.onMessage((c, topic, payload, qos) -> stats.onMessage(index, payload));
            granted.add(client.subscribe(topology.filter(s), settings.qos()));
        }
        for (CompletableFuture<List<Integer>> g : granted) {
            int code = g.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(0);
            if (code == 0x80) {
                throw new IllegalStateException("the broker refused a subscription");
            }
        }
        return subscribers;
    }

    private List<LoadClient> connect(ClientFleet fleet, String role, int count) throws Exception {
        List<LoadClient> clients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            clients.add(fleet.connect("bench-" + runId + "-" + role + "-" + i, true, settings.client()));
        }
        for (LoadClient client : clients) {
            client.connected().get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return clients;
    }

    private int fedSubscribers(int publisher) {
        int fed = 0;
        for (int s = 0; s < topology.subscribers(); s++) {
            if (topology.feeds(publisher, s)) {
                fed++;
            }
        }
        return fed;
    }

    private Optional<BrokerProcess> brokerProcess() {
        if (settings.brokerPid() != null) {
            return Optional.of(new BrokerProcess(settings.brokerPid()));
        }
        return BrokerProcess.listeningOn(settings.port());
    }

    /** Every acknowledged (QoS 1/2) or sent (QoS 0) message, once per subscriber it feeds. */
    private long expected(List<Publisher> publishers) {
        long expected = 0;
        for (int s = 0; s < topology.subscribers(); s++) {
            for (int p = 0; p < topology.publishers(); p++) {
                if (topology.feeds(p, s)) {
                    expected += publishers.get(p).acknowledged();
                }
            }
        }
        return expected;
    }

    private long uniqueReceived(DeliveryStats stats) {
        long unique = 0;
        for (int s = 0; s < topology.subscribers(); s++) {
            for (int p = 0; p < topology.publishers(); p++) {
                if (topology.feeds(p, s)) {
                    unique += stats.unique(s, p);
                }
            }
        }
        return unique;
    }

    private TrafficResult account(List<Publisher> publishers, DeliveryStats stats, long expected, Double cpuBefore,
                                  Double cpuAfter, Long rss) {
        long lost = 0;
        for (int s = 0; s < topology.subscribers(); s++) {
            for (int p = 0; p < topology.publishers(); p++) {
                if (topology.feeds(p, s)) {
                    lost += Math.max(0, publishers.get(p).acknowledged() - stats.unique(s, p));
                }
            }
        }
        long sent = publishers.stream().mapToLong(Publisher::sent).sum();
        double seconds = settings.window().toNanos() / 1e9;
        Histogram latency = stats.latencyMicros();
        Double cpuCores = cpuBefore == null || cpuAfter == null ? null : (cpuAfter - cpuBefore) / seconds;
        boolean measured = latency.getTotalCount() > 0;
        return new TrafficResult(settings.brokerLabel(), topology.name(), settings.qos(), settings.payloadBytes(),
                topology.publishers(), topology.subscribers(), settings.ratePerSecond(), seconds, sent, expected, lost,
                stats.duplicates(), stats.receivedInWindow() / seconds,
                measured ? Double.valueOf(latency.getValueAtPercentile(50)) : null,
                measured ? Double.valueOf(latency.getValueAtPercentile(99)) : null,
                measured ? Double.valueOf(latency.getValueAtPercentile(99.9)) : null,
                measured ? Double.valueOf(latency.getMaxValue()) : null,
                cpuCores, rss);
    }

    /** Disconnects everyone; the fleet's shutdown closes whatever is still open after that. */
    static void disconnectAll(List<LoadClient> clients) throws InterruptedException {
        List<CompletableFuture<Void>> closed = clients.stream().map(LoadClient::disconnect).toList();
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            System.err.println("not every client disconnected cleanly: " + e);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static void awaitCondition(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
