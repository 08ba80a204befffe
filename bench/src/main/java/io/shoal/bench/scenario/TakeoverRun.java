package io.shoal.bench.scenario;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.client.LoadClient;
import io.shoal.bench.client.Payloads;
import io.shoal.bench.report.TakeoverResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;

/**
 * Persistent sessions moving from one broker node ({@code from}) to another ({@code to}; the same
 * node for a baseline). Each of {@code sessions} clients opens a persistent session on {@code from}
 * and subscribes at QoS 1 to a topic of its own; a publisher on {@code publisher} sends each
 * session {@code messages} QoS 1 messages. Then every client id connects to {@code to}:
 * <ul>
 *   <li>live: the client on {@code from} received its messages and did not acknowledge them, and
 *   its connection is still open. The broker must close it, answer with session present, and
 *   send the messages again on the new connection;</li>
 *   <li>offline: the client disconnected before its messages were published, so they are queued
 *   in its session, and the new connection drains them.</li>
 * </ul>
 * When each CONNACK arrives, the publisher sends that session one more message, which shows how
 * soon new messages find the client where it went. Takeovers run {@code concurrency} at a time.
 * Bounded by {@code sessions}, {@code messages} and {@code timeout} for each phase and each takeover.
 */
public final class TakeoverRun {

    /**
     * @param publisher where the publisher connects: the old node, the new one or a third
     * @param offline   the clients disconnect before their messages are published
     */
    public record Settings(String brokerLabel, InetSocketAddress from, InetSocketAddress to,
                           InetSocketAddress publisher, int sessions, int concurrency, int messages, boolean offline,
                           int payloadBytes, Duration timeout, ClientOptions client, int ioThreads) {
    }

    private static final int QOS = 1;
    private static final int TAKEN_OVER = 0x8E;
    private static final Duration PROBE_LIMIT = Duration.ofSeconds(30);
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Settings settings;
    private final String runId = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    public TakeoverRun(Settings settings) {
        if (settings.sessions() < 1 || settings.concurrency() < 1 || settings.messages() < 0) {
            throw new IllegalArgumentException("sessions and concurrency must be at least 1, messages at least 0");
        }
        this.settings = settings;
    }

    public TakeoverResult run() throws Exception {
        int n = settings.sessions();
        try (ClientFleet fleet = new ClientFleet(settings.from().getHostString(), settings.from().getPort(),
                settings.ioThreads(), 1)) {
            LoadClient publisher = fleet.connect(settings.publisher(), "takeover-" + runId + "-pub", true,
                    settings.client(), (c, topic, payload, qos) -> { });
            publisher.connected().get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            RouteProbe probe = new RouteProbe(IntStream.range(0, n)
                    .mapToObj(i -> new RouteProbe.Route(publisher, topic(i), single(i))).toList());

            List<LoadClient> old = connect(fleet, settings.from(), false,
                    i -> (c, topic, payload, qos) -> probe.onMessage(i, payload));
            subscribe(old);
            probe.await(PROBE_LIMIT);
            if (settings.offline()) {
                TrafficRun.disconnectAll(old);
            } else {
                old.forEach(LoadClient::withholdAcknowledgements);
            }
            publishBurst(fleet);

            List<MovingSession> moving = IntStream.range(0, n)
                    .mapToObj(i -> new MovingSession(i, n, settings.messages(), !settings.offline())).toList();
            List<LoadClient> moved = new ArrayList<>();
            long start = System.nanoTime();
            long end = moveAll(fleet, old, moving, moved, publisher);
            TakeoverResult result = result(old, moving, moved, (end - start) / 1e9);

            TrafficRun.disconnectAll(moved);
            TrafficRun.disconnectAll(old); // any the broker failed to close
            // A clean-session connection ends each session, so that none is left in the broker's store.
            TrafficRun.disconnectAll(connect(fleet, settings.to(), true, i -> (c, topic, payload, qos) -> { }));
            TrafficRun.disconnectAll(List.of(publisher));
            return result;
        }
    }

    private String clientId(int session) {
        return "takeover-" + runId + "-" + session;
    }

    private String topic(int session) {
        return "takeover/" + runId + "/" + session;
    }

    private static BitSet single(int subscriber) {
        BitSet set = new BitSet();
        set.set(subscriber);
        return set;
    }

    private List<LoadClient> connect(ClientFleet fleet, InetSocketAddress broker, boolean clean,
                                     IntFunction<LoadClient.MessageHandler> handlers)
            throws Exception {
        List<LoadClient> clients = new ArrayList<>();
        for (int i = 0; i < settings.sessions(); i++) {
            clients.add(fleet.connect(broker, clientId(i), clean, settings.client(), handlers.apply(i)));
        }
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        for (LoadClient client : clients) {
            client.connected().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return clients;
    }

    private void subscribe(List<LoadClient> clients) throws Exception {
        List<CompletableFuture<List<Integer>>> granted = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            granted.add(clients.get(i).subscribe(topic(i), QOS));
        }
        for (CompletableFuture<List<Integer>> g : granted) {
            if (g.get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS).get(0) != QOS) {
                throw new IllegalStateException("the broker did not grant a QoS 1 subscription");
            }
        }
    }

    /**
     * Message m goes to session m % sessions. Acknowledged means in flight to an online session
     * (on Cassandra, once the client acknowledged it or its session journaled it) or stored for an
     * offline one.
     */
    private void publishBurst(ClientFleet fleet) throws Exception {
        LoadClient client = fleet.connect(settings.publisher(), "takeover-" + runId + "-burst", true, settings.client(),
                (c, topic, payload, qos) -> { });
        client.connected().get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        long total = (long) settings.sessions() * settings.messages();
        BurstPublisher burst = new BurstPublisher(client, 0,
                IntStream.range(0, settings.sessions()).mapToObj(this::topic).toList(), settings.payloadBytes(), total,
                new Recorder(MAX_MICROS, 3));
        burst.begin();
        burst.done().get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        TrafficRun.disconnectAll(List.of(client));
    }

    /** Moves every session, {@code concurrency} at a time; returns when the last move ended. */
    private long moveAll(ClientFleet fleet, List<LoadClient> old, List<MovingSession> moving, List<LoadClient> moved,
                         LoadClient publisher) throws Exception {
        Semaphore slots = new Semaphore(settings.concurrency());
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (MovingSession session : moving) {
            if (!slots.tryAcquire(settings.timeout().toNanos() * 2, TimeUnit.NANOSECONDS)) { // each frees one within timeout
                throw new IllegalStateException("no takeover slot freed within " + settings.timeout());
            }
            int i = session.index();
            if (!settings.offline()) {
                old.get(i).closed().thenRun(() -> session.oldClosed(System.nanoTime()));
            }
            LoadClient client = fleet.connect(settings.to(), clientId(i), false, settings.client(),
                    (c, topic, payload, qos) -> session.onMessage(payload, System.nanoTime()));
            moved.add(client);
            client.connected().thenAccept(c -> {
                session.connAcked(c.connectSentAt(), c.connAckAt(), c.sessionPresent());
                publishAfter(publisher, session);
            });
            CompletableFuture<Void> end = session.done().completeOnTimeout(null, settings.timeout().toNanos(),
                    TimeUnit.NANOSECONDS).thenRun(slots::release);
            client.connected().exceptionally(failure -> {
                session.done().complete(null);
                return null;
            });
            ends.add(end);
        }
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                    .get(settings.timeout().toNanos() * 2, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("not every takeover ended: " + e);
        }
        return System.nanoTime();
    }

    /** Publishes the session's message after its CONNACK, on the publisher's event loop, as soon as its window allows. */
    private void publishAfter(LoadClient publisher, MovingSession session) {
        publisher.channel().eventLoop().execute(() -> {
            if (!publisher.channel().isActive()) {
                return; // the message counts as lost
            }
            if (!publisher.canPublish(QOS)) {
                publisher.channel().eventLoop().schedule(() -> publishAfter(publisher, session), 1, TimeUnit.MILLISECONDS);
                return;
            }
            publisher.publish(topic(session.index()), QOS, false, Payloads.encode(publisher.channel().alloc(),
                    settings.payloadBytes(), System.nanoTime(), 0, session.afterSequence()));
            publisher.flush();
        });
    }

    private TakeoverResult result(List<LoadClient> old, List<MovingSession> moving, List<LoadClient> moved,
                                  double seconds) {
        List<MovingSession> acked = moving.stream().filter(MovingSession::connAcked).toList();
        int failed = (int) moved.stream().filter(c -> c.connected().isCompletedExceptionally()).count();
        int notPresent = (int) acked.stream().filter(s -> !s.sessionPresent()).count();
        boolean live = !settings.offline();
        int oldNotClosed = live ? (int) moving.stream().filter(s -> !s.oldClosed()).count() : 0;
        Integer toldTakenOver = live && settings.client().mqttVersion() == MqttVersion.MQTT_5
                ? (int) old.stream().filter(c -> Integer.valueOf(TAKEN_OVER).equals(c.disconnectReason())).count()
                : null;
        TakeoverResult.Latency oldClosed = live
                ? latency(moving.stream().filter(MovingSession::oldClosed).toList(), MovingSession::oldClosedNanos)
                : new TakeoverResult.Latency(null, null, null);
        return new TakeoverResult(settings.brokerLabel(), settings.offline() ? "offline" : "live", settings.sessions(),
                settings.concurrency(), settings.messages(), acked.size(), failed, notPresent, oldNotClosed,
                toldTakenOver, latency(acked, MovingSession::connAckNanos), oldClosed,
                latency(acked.stream().filter(MovingSession::allPendingReceived).toList(),
                        MovingSession::lastPendingNanos),
                latency(acked.stream().filter(MovingSession::afterReceived).toList(),
                        MovingSession::afterLatencyNanos),
                moving.stream().mapToLong(MovingSession::pendingMissing).sum(),
                moving.stream().filter(s -> !s.afterReceived()).count(),
                moving.stream().mapToLong(MovingSession::duplicates).sum(), seconds);
    }

    private static TakeoverResult.Latency latency(List<MovingSession> sessions, ToLongFunction<MovingSession> nanos) {
        if (sessions.isEmpty()) {
            return new TakeoverResult.Latency(null, null, null);
        }
        Histogram histogram = new Histogram(MAX_MICROS, 3);
        sessions.forEach(s -> histogram.recordValue(Math.max(0, nanos.applyAsLong(s) / 1000)));
        return new TakeoverResult.Latency((double) histogram.getValueAtPercentile(50),
                (double) histogram.getValueAtPercentile(99), (double) histogram.getMaxValue());
    }
}
