package io.shoal.bench.scenario;

import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.client.LoadClient;
import io.shoal.bench.probe.BrokerProcess;
import io.shoal.bench.report.ConnectionsResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens many idle connections at a capped rate, holds them, then closes them; reports the connect
 * rate, failures and how much the broker's resident memory grew per connection held.
 */
public final class ConnectionsRun {

    /** Ephemeral ports one source address gives (Linux default range 32768-60999), with margin. */
    private static final int CONNECTIONS_PER_SOURCE_ADDRESS = 25_000;

    public record Settings(String brokerLabel, String host, int port, int count, double perSecond, Duration hold,
                           ClientOptions client, int ioThreads, Long brokerPid) {
    }

    private final Settings settings;

    private static Long perConnection(Long before, Long held, int connections) {
        return before == null || held == null || connections == 0 ? null : (held - before) / connections;
    }

    public ConnectionsRun(Settings settings) {
        this.settings = settings;
    }

    public ConnectionsResult run() throws Exception {
        Optional<BrokerProcess> broker = settings.brokerPid() != null
                ? Optional.of(new BrokerProcess(settings.brokerPid())) : BrokerProcess.listeningOn(settings.port());
        Long rssBefore = broker.map(BrokerProcess::rssBytes).orElse(null);
        Long heapBefore = broker.flatMap(BrokerProcess::liveHeapBytes).orElse(null);
        int sources = (settings.count() + CONNECTIONS_PER_SOURCE_ADDRESS - 1) / CONNECTIONS_PER_SOURCE_ADDRESS;
        String prefix = "conn-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + "-";
        try (ClientFleet fleet = new ClientFleet(settings.host(), settings.port(), settings.ioThreads(), sources)) {
            long start = System.nanoTime();
            AtomicLong lastConnected = new AtomicLong(start);
            Recorder connectLatency = new Recorder(3_600_000_000L, 3);
            List<CompletableFuture<LoadClient>> attempts = fleet.connectAll(settings.count(), settings.perSecond(),
                    prefix, settings.client(), micros -> connectLatency.recordValue(micros));
            List<LoadClient> connected = new ArrayList<>();
            int failed = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (CompletableFuture<LoadClient> attempt : attempts) {
                try {
                    long left = Math.max(1, deadline - System.nanoTime());
                    connected.add(attempt.get(left, TimeUnit.NANOSECONDS));
                    lastConnected.accumulateAndGet(System.nanoTime(), Math::max);
                } catch (Exception e) {
                    failed++;
                }
            }
            double connectSeconds = Math.max(1e-9, (lastConnected.get() - start) / 1e9);
            TimeUnit.NANOSECONDS.sleep(settings.hold().toNanos()); // holding the connections is the measurement
            Long rssHeld = broker.map(BrokerProcess::rssBytes).orElse(null);
            Long heapHeld = heapBefore == null ? null : broker.flatMap(BrokerProcess::liveHeapBytes).orElse(null);
            Long perConnection = perConnection(rssBefore, rssHeld, connected.size());
            Long heapPerConnection = perConnection(heapBefore, heapHeld, connected.size());
            List<CompletableFuture<Void>> closed = connected.stream().map(LoadClient::disconnect).toList();
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            Histogram latency = connectLatency.getIntervalHistogram();
            return new ConnectionsResult(settings.brokerLabel(), settings.count(), connected.size(), failed,
                    connected.size() / connectSeconds, latency.getValueAtPercentile(50), latency.getValueAtPercentile(99),
                    settings.hold().toNanos() / 1e9, rssBefore, rssHeld, perConnection, heapPerConnection);
        }
    }
}
