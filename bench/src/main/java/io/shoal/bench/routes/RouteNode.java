package io.shoal.bench.routes;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import io.shoal.cluster.routing.RoutingSettings;
import io.shoal.cluster.routing.RoutingTable;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;

import javax.management.ObjectName;

/**
 * One measured cluster node, in a process of its own so that its heap is its own: an actor system
 * with Shoal's settings and a routing table, driven by one-line commands on stdin and answering on
 * stdout (see {@link RouteNodeProcess} for the other end). Times are {@link System#nanoTime()},
 * which on Linux is one clock for all processes of the machine.
 */
final class RouteNode {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final int index;
    private final int nodes;
    private final Path dir;
    private final PrintStream out;
    private final ActorSystem<Void> system;
    private final HeapAfterGc heapAfterGc = new HeapAfterGc();
    private RoutingTable table;

    private RouteNode(int index, int nodes, Path dir, Config config, PrintStream out) {
        this.index = index;
        this.nodes = nodes;
        this.dir = dir;
        this.out = out;
        this.system = ActorSystem.create(Behaviors.empty(), "shoal", config);
    }

    /** Runs until "stop" or the end of stdin; stdout is the protocol, everything else printed goes to stderr. */
    static void run(int index, int nodes, Path dir, Config config) throws Exception {
        PrintStream protocol = System.out;
        System.setOut(System.err);
        // A node busy in a long command does not read stdin; it must not outlive the routes command.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(2)));
        RouteNode node = new RouteNode(index, nodes, dir, config, protocol);
        try {
            node.reply("address " + Cluster.get(node.system).selfMember().address());
            node.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        } finally {
            node.system.terminate();
            node.system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private void serve(BufferedReader in) throws Exception {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] a = line.split(" ");
            switch (a[0]) {
                case "join" -> join(a[1]);
                case "subscribe" -> {
                    reply("at " + System.nanoTime());
                    table.subscribed(a[1]);
                }
                case "unsubscribe" -> {
                    reply("at " + System.nanoTime());
                    table.unsubscribed(a[1]);
                }
                case "bulk" -> bulk(Long.parseLong(a[1]), Long.parseLong(a[2]), Duration.ofMillis(Long.parseLong(a[3])));
                case "await-entries" -> awaitEntries(Long.parseLong(a[1]), Duration.ofMillis(Long.parseLong(a[2])));
                case "watch" -> watch(a[1], a[2], a[3].equals("present"), Duration.ofMillis(Long.parseLong(a[4])));
                case "heap" -> heap(a[1]);
                case "peak-heap" -> reply("peak-heap " + heapAfterGc.peak());
                case "settle" -> settle(Duration.ofMillis(Long.parseLong(a[1])));
                case "counters" -> reply("counters " + table.writes() + " " + table.updates() + " " + table.updatesWithoutDelta()
                        + " " + table.writeFailures() + " "
                        + table.writeTimeouts() + " " + table.ownEntriesRestored() + " " + table.localFilters()
                        + " " + table.viewEntries());
                case "stop" -> {
                    reply("stopping");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown command: " + line);
            }
        }
    }

    /** Joins the cluster, waits for all nodes to be Up, then starts the routing table as a broker node does. */
    private void join(String seed) throws Exception {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(AddressFromURIString.parse(seed)));
        await(Duration.ofSeconds(60), () -> StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up()).count() == nodes);
        table = RoutingTable.start(system, RoutingSettings.defaults());
        reply("up " + table.selfId());
    }

    /**
     * Registers this node's share of filters 0 .. total-1 (every nodes-th, from this node's index) as
     * fast as one thread calls subscribed(), while another thread records when this node's view
     * first holds {@code expected} entries.
     */
    private void bulk(long total, long expected, Duration timeout) throws Exception {
        AtomicLong complete = new AtomicLong();
        Thread watcher = new Thread(() -> {
            try {
                complete.set(awaitEntriesQuietly(expected, timeout));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "entries-watcher");
        heapAfterGc.reset();
        watcher.start();
        long start = System.nanoTime();
        for (long i = index; i < total; i += nodes) {
            table.subscribed(RouteFilters.filter(i));
        }
        long registered = System.nanoTime();
        reply("registered " + start + " " + registered);
        watcher.join();
        reply(complete.get() == 0 ? "timeout " + table.viewEntries() : "entries " + complete.get() + " " + table.viewEntries());
    }

    private void awaitEntries(long expected, Duration timeout) throws InterruptedException {
        long at = awaitEntriesQuietly(expected, timeout);
        reply(at == 0 ? "timeout " + table.viewEntries() : "entries " + at + " " + table.viewEntries());
    }

    /** When the view first held {@code expected} entries, or 0 after the timeout; reports progress meanwhile. */
    private long awaitEntriesQuietly(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        while (System.nanoTime() < deadline) {
            int entries = table.viewEntries();
            long now = System.nanoTime();
            if (entries >= expected) {
                return now;
            }
            if (now >= nextProgress) {
                reply("progress " + now + " " + entries);
                nextProgress = now + PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(10);
        }
        return 0;
    }

    /** Waits until {@code topic} is (or is no longer) routed to {@code nodeId} here; "watching" says the poll runs. */
    private void watch(String topic, String nodeId, boolean present, Duration timeout) {
        reply("watching");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (table.nodesFor(topic).contains(nodeId) == present) {
                reply("seen " + now);
                return;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        reply("timeout");
    }

    /**
     * Live heap: used heap right after a full collection, and the class histogram of that moment
     * next to the node's log. A System.gc() is skipped while a thread is inside a JNI critical
     * section (Distributed Data gzips its digests), so it is repeated until a full collection ran.
     */
    private void heap(String label) throws Exception {
        long fullCollections = fullCollections();
        for (int attempt = 0; attempt < 10 && fullCollections() == fullCollections; attempt++) {
            System.gc();
            Thread.sleep(100);
        }
        if (fullCollections() == fullCollections) {
            throw new IllegalStateException("no full collection ran");
        }
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        // "-all": no second full collection; what was allocated since the first is small.
        Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{new String[]{"-all"}}, new String[]{String[].class.getName()});
        Files.writeString(dir.resolve("node-" + index + "-histogram-" + label + ".txt"), histogram.toString());
        reply("heap " + used);
    }

    /** Full (old generation) collections so far; G1 counts System.gc()'s here. */
    private static long fullCollections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(gc -> gc.getName().contains("Old") || gc.getName().contains("MarkSweep"))
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    /**
     * Waits until this node sees every member reachable: while one is unreachable, Distributed Data
     * sends it no deltas, and the full collections of a heap measurement can cause that.
     */
    private void settle(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        try {
            await(timeout, () -> Cluster.get(system).state().getUnreachable().isEmpty());
            reply("settled " + (System.nanoTime() - start) / 1_000_000);
        } catch (TimeoutException e) {
            reply("unsettled");
        }
    }

    private void reply(String line) {
        synchronized (out) {
            out.println(RouteNodeProcess.ANSWER + line);
            out.flush();
        }
    }

    private static void await(Duration timeout, BooleanSupplier condition) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("not within " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
