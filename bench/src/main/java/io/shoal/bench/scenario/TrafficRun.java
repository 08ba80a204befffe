package io.shoal.bench.scenario;

import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.client.LoadClient;
import io.shoal.bench.probe.BrokerProcess;
import io.shoal.bench.report.TrafficResult;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * One traffic scenario against one broker, or with publishers and subscribers on two nodes of a
 * cluster: connect subscribers and publishers, probe until every publisher's messages reach their
 * subscribers, publish through a warm-up and a measurement window, stop, wait for everything in
 * flight to arrive, and account for every message. Bounded in time (warm-up + window + drain limits) and in count
 * ({@code maxMessagesPerPublisher}).
 */
public final class TrafficRun {

    /**
     * @param host                 the publishers' broker
     * @param ratePerSecond        total offered rate over all publishers; 0 publishes as fast as the
     *                             windows and sockets allow
     * @param subscriberHost       the subscribers' broker: another node of a cluster, or the publishers'
     * @param persistentSubscribers subscribers with persistent sessions (removed after the run)
     *                             instead of clean ones
     */
    public record Settings(String brokerLabel, String host, int port, int qos, int payloadBytes, double ratePerSecond,
                           Duration warmup, Duration window, long maxMessagesPerPublisher, ClientOptions client,
                           int ioThreads, Long brokerPid, String subscriberHost, int subscriberPort,
                           boolean persistentSubscribers) {

        /** Publishers and subscribers with clean sessions on one broker. */
        public Settings(String brokerLabel, String host, int port, int qos, int payloadBytes, double ratePerSecond,
                        Duration warmup, Duration window, long maxMessagesPerPublisher, ClientOptions client,
                        int ioThreads, Long brokerPid) {
            this(brokerLabel, host, port, qos, payloadBytes, ratePerSecond, warmup, window, maxMessagesPerPublisher,
                    client, ioThreads, brokerPid, host, port, false);
        }

        boolean subscribersElsewhere() {
            return subscriberPort != port || !subscriberHost.equals(host);
        }
    }

    /** Messages a publisher keeps outstanding end to end at the maximum rate (see {@link Publisher}). */
    public static final int END_TO_END_WINDOW = 100;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PROBE_LIMIT = Duration.ofSeconds(30);
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);
    private static final Duration QUIET_LIMIT = Duration.ofSeconds(3);

    private final Topology topology;
    private final Settings settings;
    private final String runId = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final IntFunction<Optional<BrokerProcess>> listeningOn;

    public TrafficRun(Topology topology, Settings settings) {
        this(topology, settings, BrokerProcess::listeningOn);
    }

    /** @param listeningOn finds the broker process listening on a port (tests: a slow one) */
    TrafficRun(Topology topology, Settings settings, IntFunction<Optional<BrokerProcess>> listeningOn) {
        this.topology = topology;
        this.settings = settings;
        this.listeningOn = listeningOn;
    }

    public TrafficResult run() throws Exception {
        // Before anything is timed: finding a process scans /proc, which takes seconds on a busy machine.
        Optional<BrokerProcess> broker = brokerProcess();
        Optional<BrokerProcess> subscriberBroker = subscriberBrokerProcess(broker);
        DeliveryStats stats = new DeliveryStats(topology.subscribers(), topology.publishers());
        try (ClientFleet fleet = new ClientFleet(settings.host(), settings.port(), settings.ioThreads(), 1)) {
            RouteProbe[] probe = new RouteProbe[1]; // set before the first probe is sent
            List<LoadClient> subscribers = connectSubscribers(fleet, stats, probe);
            List<LoadClient> publisherClients = connect(fleet, fleet.broker(), "pub", topology.publishers(), true);
            probe[0] = new RouteProbe(probeRoutes(publisherClients));
            long probing = System.nanoTime();
            probe[0].await(PROBE_LIMIT);
            if (settings.subscribersElsewhere()) {
                System.err.printf("routes to the subscribers' node in place %d ms after the publishers connected%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probing));
            }
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            double perPublisher = settings.ratePerSecond() / topology.publishers();
            List<Publisher> publishers = new ArrayList<>();
            for (int p = 0; p < topology.publishers(); p++) {
                publishers.add(new Publisher(publisherClients.get(p), p, topology.topic(p), settings.qos(),
                        settings.payloadBytes(), perPublisher, END_TO_END_WINDOW, fedSubscribers(p),
                        (double) p / topology.publishers(), settings.maxMessagesPerPublisher(), start));
            }
            stats.onFirstDelivery(p -> publishers.get(p).onDelivered());
            long windowStart = start + settings.warmup().toNanos();
            long windowEnd = windowStart + settings.window().toNanos();
            stats.window(windowStart, windowEnd);

            publishers.forEach(Publisher::begin);
            sleepUntil(windowStart);
            Double cpuBefore = broker.map(BrokerProcess::cpuSeconds).orElse(null);
            Double subscriberCpuBefore = subscriberBroker.map(BrokerProcess::cpuSeconds).orElse(null);
            sleepUntil(windowEnd);
            Double cpuAfter = broker.map(BrokerProcess::cpuSeconds).orElse(null);
            Double subscriberCpuAfter = subscriberBroker.map(BrokerProcess::cpuSeconds).orElse(null);
            Long rss = broker.map(BrokerProcess::rssBytes).orElse(null);
            for (Future<?> stopped : publishers.stream().map(Publisher::stop).toList()) {
                stopped.get(10, TimeUnit.SECONDS); // from here on, what was sent is final
            }

            awaitCondition(() -> publishers.stream().allMatch(Publisher::drained), DRAIN_LIMIT);
            long expected = expected(publishers);
            Progress.await(() -> uniqueReceived(stats), expected, DRAIN_LIMIT, QUIET_LIMIT);

            int closed = closedByBroker(publisherClients) + closedByBroker(subscribers);
            if (closed > 0) {
                System.err.printf("%d of %d connections were closed by the broker during the run%n", closed,
                        publisherClients.size() + subscribers.size());
            }
            TrafficResult result = account(publishers, stats, expected, cores(cpuBefore, cpuAfter),
                    cores(subscriberCpuBefore, subscriberCpuAfter), rss, closed);
            disconnectAll(subscribers);
            disconnectAll(publisherClients);
            if (settings.persistentSubscribers()) {
                // A clean-session connection ends each session, so that none is left in the broker's store.
                disconnectAll(connect(fleet, subscriberAddress(), "sub", topology.subscribers(), true));
            }
            return result;
        }
    }

    private List<LoadClient> connectSubscribers(ClientFleet fleet, DeliveryStats stats, RouteProbe[] probe)
            throws Exception {
        List<LoadClient> subscribers = connect(fleet, subscriberAddress(), "sub", topology.subscribers(),
                !settings.persistentSubscribers());
        List<CompletableFuture<List<Integer>>> granted = new ArrayList<>();
        for (int s = 0; s < subscribers.size(); s++) {
            int index = s;
            LoadClient client = subscribers.get(s);
            client.onMessage((c, topic, payload, qos) -> {
                if (!probe[0].onMessage(index, payload)) {
                    stats.onMessage(index, payload);
                }
            });
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

    private List<LoadClient> connect(ClientFleet fleet, InetSocketAddress broker, String role, int count,
                                     boolean cleanSession) throws Exception {
        List<LoadClient> clients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            clients.add(fleet.connect(broker, clientId(role, i), cleanSession, settings.client(),
                    (c, topic, payload, qos) -> { }));
        }
        for (LoadClient client : clients) {
            client.connected().get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return clients;
    }

    /** The client id of this run's publisher ({@code "pub"}) or subscriber ({@code "sub"}) {@code index}. */
    String clientId(String role, int index) {
        return "bench-" + runId + "-" + role + "-" + index;
    }

    private InetSocketAddress subscriberAddress() {
        return new InetSocketAddress(settings.subscriberHost(), settings.subscriberPort());
    }

    /** Each publisher's topic, to be seen by every subscriber it feeds. */
    private List<RouteProbe.Route> probeRoutes(List<LoadClient> publishers) {
        List<RouteProbe.Route> routes = new ArrayList<>();
        for (int p = 0; p < topology.publishers(); p++) {
            BitSet fed = new BitSet();
            for (int s = 0; s < topology.subscribers(); s++) {
                if (topology.feeds(p, s)) {
                    fed.set(s);
                }
            }
            routes.add(new RouteProbe.Route(publishers.get(p), topology.topic(p), fed));
        }
        return routes;
    }

    /** Clients whose connection is gone before the run closes them: a publisher stops publishing then. */
    private static int closedByBroker(List<LoadClient> clients) {
        return (int) clients.stream().filter(c -> c.closed().isDone()).count();
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
        return listeningOn.apply(settings.port());
    }

    /** The subscribers' broker when it is another process than the publishers' (another node). */
    private Optional<BrokerProcess> subscriberBrokerProcess(Optional<BrokerProcess> publishers) {
        if (!settings.subscribersElsewhere()) {
            return Optional.empty();
        }
        return listeningOn.apply(settings.subscriberPort())
                .filter(b -> publishers.map(p -> p.pid() != b.pid()).orElse(true));
    }

    private Double cores(Double cpuSecondsBefore, Double cpuSecondsAfter) {
        return cpuSecondsBefore == null || cpuSecondsAfter == null ? null
                : (cpuSecondsAfter - cpuSecondsBefore) / (settings.window().toNanos() / 1e9);
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

    private TrafficResult account(List<Publisher> publishers, DeliveryStats stats, long expected, Double cpuCores,
                                  Double subscriberCpuCores, Long rss, int connectionsClosed) {
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
        boolean measured = latency.getTotalCount() > 0;
        return new TrafficResult(settings.brokerLabel(), topology.name(), settings.qos(), settings.payloadBytes(),
                topology.publishers(), topology.subscribers(), settings.ratePerSecond(), seconds, sent, expected, lost,
                stats.duplicates(), stats.receivedInWindow() / seconds,
                measured ? Double.valueOf(latency.getValueAtPercentile(50)) : null,
                measured ? Double.valueOf(latency.getValueAtPercentile(99)) : null,
                measured ? Double.valueOf(latency.getValueAtPercentile(99.9)) : null,
                measured ? Double.valueOf(latency.getMaxValue()) : null,
                cpuCores, subscriberCpuCores, rss, connectionsClosed);
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
