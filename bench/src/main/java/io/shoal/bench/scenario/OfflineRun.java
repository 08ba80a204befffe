package io.shoal.bench.scenario;

import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.client.LoadClient;
import io.shoal.bench.report.OfflineResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Messages for offline persistent sessions. Subscribers start fresh persistent sessions, subscribe
 * at QoS 1 and leave; publishers send a burst of QoS 1 messages, each acknowledged only once the
 * offline sessions it goes to stored it; then the subscribers come back, and every message must
 * arrive once and in its publisher's order.
 *
 * <p>The two halves can run apart ({@link Settings#queue()}, {@link Settings#reconnect()}), with a
 * broker restart in between: subscribers are named {@code <clientPrefix>sub-<i>}, and the reconnecting
 * half expects what a queueing run with the same counts published. Bounded in count ({@code messages})
 * and time ({@code timeout} per phase, plus {@code offlineFor}).
 */
public final class OfflineRun {

    /**
     * @param sharedTopic every message to every subscriber (one topic) rather than each message to
     *                    one subscriber, round robin
     * @param queue       run the first half: fresh sessions, then the burst
     * @param reconnect   run the second half: reconnect, drain, then remove the sessions
     * @param offlineFor  how long the sessions stay offline between the halves
     */
    public record Settings(String brokerLabel, String host, int port, int subscribers, int publishers, long messages,
                           boolean sharedTopic, int payloadBytes, boolean queue, boolean reconnect,
                           Duration offlineFor, Duration timeout, String clientPrefix, ClientOptions client,
                           int ioThreads) {
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    /** Deliveries standing still this long end the drain: longer than any pause of a healthy broker. */
    private static final Duration QUIET_LIMIT = Duration.ofSeconds(10);

    private final Settings settings;
    private final String runId = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    public OfflineRun(Settings settings) {
        this.settings = settings;
    }

    public OfflineResult run() throws Exception {
        try (ClientFleet fleet = new ClientFleet(settings.host(), settings.port(), settings.ioThreads(), 1)) {
            OfflineResult.Burst burst = settings.queue() ? queue(fleet) : null;
            OfflineResult.Drain drain = null;
            if (settings.reconnect()) {
                TimeUnit.NANOSECONDS.sleep(settings.offlineFor().toNanos()); // staying offline is the scenario
                drain = reconnect(fleet);
                removeSessions(fleet);
            }
            return new OfflineResult(settings.brokerLabel(), settings.subscribers(), settings.publishers(),
                    settings.sharedTopic() ? "shared" : "own", settings.messages(), burst, drain);
        }
    }

    // ---- first half: sessions and the burst ----------------------------------------------------------

    private OfflineResult.Burst queue(ClientFleet fleet) throws Exception {
        removeSessions(fleet); // anything a previous run left queued would be taken for this run's messages
        List<LoadClient> subscribers = connect(fleet, subscriberIds(), false);
        List<CompletableFuture<List<Integer>>> granted = new ArrayList<>();
        for (int s = 0; s < subscribers.size(); s++) {
            granted.add(subscribers.get(s).subscribe(topicOf(s), 1));
        }
        for (CompletableFuture<List<Integer>> g : granted) {
            if (g.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(0) != 1) {
                throw new IllegalStateException("the broker did not grant a QoS 1 subscription");
            }
        }
        TrafficRun.disconnectAll(subscribers);

        List<String> publisherIds = IntStream.range(0, settings.publishers())
                .mapToObj(p -> settings.clientPrefix() + "pub-" + runId + "-" + p).toList();
        List<LoadClient> clients = connect(fleet, publisherIds, true);
        List<String> topics = settings.sharedTopic() ? List.of(topicOf(0))
                : IntStream.range(0, settings.subscribers()).mapToObj(this::topicOf).toList();
        Recorder ackLatency = new Recorder(TimeUnit.HOURS.toMicros(1), 3);
        List<BurstPublisher> publishers = new ArrayList<>();
        for (int p = 0; p < clients.size(); p++) {
            publishers.add(new BurstPublisher(clients.get(p), p, topics, settings.payloadBytes(), published(p),
                    ackLatency));
        }
        long start = System.nanoTime();
        publishers.forEach(BurstPublisher::begin);
        try {
            CompletableFuture.allOf(publishers.stream().map(BurstPublisher::done).toArray(CompletableFuture[]::new))
                    .get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("not every message was acknowledged: " + e);
        }
        long acknowledged = publishers.stream().mapToLong(BurstPublisher::acknowledged).sum();
        long end = publishers.stream().filter(p -> p.acknowledged() > 0)
                .mapToLong(BurstPublisher::lastAcknowledgedAt).max().orElse(start);
        TrafficRun.disconnectAll(clients);
        double seconds = Math.max(1e-9, (end - start) / 1e9);
        int sessionsPerMessage = settings.sharedTopic() ? settings.subscribers() : 1;
        Histogram latency = ackLatency.getIntervalHistogram();
        return new OfflineResult.Burst(acknowledged, acknowledged / seconds, acknowledged * sessionsPerMessage / seconds,
                percentile(latency, 50), percentile(latency, 99), percentile(latency, 99.9), percentile(latency, 100));
    }

    private String topicOf(int subscriber) {
        return "offline/" + runId + "/" + (settings.sharedTopic() ? "all" : subscriber);
    }

    // ---- second half: reconnect and drain ------------------------------------------------------------

    private OfflineResult.Drain reconnect(ClientFleet fleet) throws Exception {
        DeliveryStats stats = new DeliveryStats(settings.subscribers(), settings.publishers());
        Recorder connAck = new Recorder(TimeUnit.HOURS.toMicros(1), 3);
        List<String> ids = subscriberIds();
        List<LoadClient> subscribers = new ArrayList<>();
        long start = System.nanoTime();
        // Updated before the stats count the message, so the drain's end is known once the count is complete.
        AtomicLong lastDelivery = new AtomicLong(start);
        for (int s = 0; s < ids.size(); s++) {
            int index = s;
            long begun = System.nanoTime();
            LoadClient client = fleet.connect(ids.get(s), false, settings.client(), (c, topic, payload, qos) -> {
                lastDelivery.accumulateAndGet(System.nanoTime(), Math::max);
                stats.onMessage(index, payload);
            });
            client.connected().thenRun(() -> connAck.recordValue((System.nanoTime() - begun) / 1000));
            subscribers.add(client);
        }
        int reconnected = awaitConnected(subscribers);
        long expected = 0;
        for (int s = 0; s < settings.subscribers(); s++) {
            for (int p = 0; p < settings.publishers(); p++) {
                expected += expected(s, p);
            }
        }
        Progress.await(() -> received(stats), expected, settings.timeout(), QUIET_LIMIT);
        long lost = 0;
        for (int s = 0; s < settings.subscribers(); s++) {
            for (int p = 0; p < settings.publishers(); p++) {
                lost += Math.max(0, expected(s, p) - stats.unique(s, p));
            }
        }
        long received = received(stats);
        double seconds = (lastDelivery.get() - start) / 1e9;
        TrafficRun.disconnectAll(subscribers);
        Histogram connAckLatency = connAck.getIntervalHistogram();
        return new OfflineResult.Drain(reconnected, percentile(connAckLatency, 50), percentile(connAckLatency, 100),
                seconds, seconds == 0 ? 0 : received / seconds, expected, received, lost, stats.duplicates(),
                stats.outOfOrder());
    }

    private long received(DeliveryStats stats) {
        long received = 0;
        for (int s = 0; s < settings.subscribers(); s++) {
            for (int p = 0; p < settings.publishers(); p++) {
                received += stats.unique(s, p);
            }
        }
        return received;
    }

    /** Messages publisher {@code p} sends: an equal share of the total. */
    private long published(int p) {
        long share = settings.messages() / settings.publishers();
        return share + (p < settings.messages() % settings.publishers() ? 1 : 0);
    }

    /** Messages subscriber {@code s} should get from publisher {@code p} (see {@link BurstPublisher}). */
    private long expected(int s, int p) {
        long published = published(p);
        if (settings.sharedTopic()) {
            return published;
        }
        int n = settings.subscribers();
        return published / n + (s < published % n ? 1 : 0);
    }

    // ---- sessions --------------------------------------------------------------------------------

    private List<String> subscriberIds() {
        return IntStream.range(0, settings.subscribers()).mapToObj(s -> settings.clientPrefix() + "sub-" + s).toList();
    }

    /** A clean-session connection ends a client's persistent session, queue included. */
    private void removeSessions(ClientFleet fleet) throws Exception {
        TrafficRun.disconnectAll(connect(fleet, subscriberIds(), true));
    }

    private List<LoadClient> connect(ClientFleet fleet, List<String> ids, boolean clean) throws Exception {
        List<LoadClient> clients = ids.stream().map(id -> fleet.connect(id, clean, settings.client())).toList();
        if (awaitConnected(clients) < clients.size()) {
            throw new IllegalStateException("not every client could connect");
        }
        return clients;
    }

    private static int awaitConnected(List<LoadClient> clients) throws InterruptedException {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        int connected = 0;
        for (LoadClient client : clients) {
            try {
                client.connected().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                connected++;
            } catch (ExecutionException | TimeoutException e) {
                System.err.println(client.clientId() + " did not connect: " + e);
            }
        }
        return connected;
    }

    private static Double percentile(Histogram histogram, double percentile) {
        if (histogram.getTotalCount() == 0) {
            return null;
        }
        return (double) (percentile == 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile));
    }
}
