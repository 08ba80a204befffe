package io.shoal.bench.routes;

import io.shoal.cluster.routing.RoutingSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Forms a cluster of node processes, registers the filters spread evenly over them, and measures
 * how long the routing table takes to carry them everywhere, single changes on a table of that
 * size, and the heap each node spends on it.
 */
final class RoutesRun {

    /**
     * @param heap        -Xmx of each node
     * @param javaOptions more JVM options for each node, "{i}" standing for its index
     * @param akka        Akka settings ("path = value") for every node, on top of Shoal's
     * @param bulkTimeout limit of the bulk registration, until every node holds every entry
     * @param dir         where the nodes' logs and class histograms go
     */
    record Settings(long filters, int nodes, int probes, String heap, List<String> javaOptions, boolean fastGossip,
                    List<String> akka,
                    Duration bulkTimeout, Duration probeTimeout, Path dir) {
    }

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration HEAP = Duration.ofMinutes(2);
    /** The longest random pause before a probe's change, so changes fall anywhere between gossip ticks. */
    private static final int MAX_PAUSE_MS = 1_000;

    private final Settings settings;
    private final List<RouteNodeProcess> nodes = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    RoutesRun(Settings settings) {
        this.settings = settings;
    }

    RoutesResult run() throws Exception {
        try {
            formCluster();
            long[] before = heap("before");
            RoutesResult.Bulk bulk = bulk();
            long[] peakDuringBulk = peakHeap();
            Visibility[] visibility = {Visibility.NOT_MEASURED, Visibility.NOT_MEASURED};
            if (bulk.allCompleteSeconds() != null) { // else single changes would only wait for the backlog
                settle();
                visibility = probes();
            }
            long[] atRest = heap("at-rest");
            List<RoutesResult.Node> perNode = new ArrayList<>();
            for (RouteNodeProcess node : nodes) {
                node.send("counters");
                String[] c = node.expect(START, "counters");
                int i = node.index();
                perNode.add(new RoutesResult.Node(ids.get(i), before[i], peakDuringBulk[i], atRest[i],
                        Long.parseLong(c[1]), Long.parseLong(c[2]), Long.parseLong(c[3]), Long.parseLong(c[4]),
                        Long.parseLong(c[6]), Long.parseLong(c[8])));
            }
            return new RoutesResult(settings.filters(), settings.nodes(), RoutingSettings.defaults().buckets(),
                    RouteNodeConfig.summary(RouteNodeConfig.of(settings.fastGossip(), settings.akka())),
                    bulk, visibility[0], visibility[1], perNode, logs());
        } finally {
            for (RouteNodeProcess node : nodes) {
                node.close();
            }
        }
    }

    private LogFindings logs() throws Exception {
        return LogFindings.scan(nodes.stream().map(RouteNodeProcess::log).toList());
    }

    /** Starts the nodes, joins them to the first, and waits until one warm-up filter of each is everywhere. */
    private void formCluster() throws Exception {
        for (int i = 0; i < settings.nodes(); i++) {
            String index = String.valueOf(i);
            List<String> javaOptions = settings.javaOptions().stream().map(o -> o.replace("{i}", index)).toList();
            nodes.add(RouteNodeProcess.start(i, settings.nodes(), settings.heap(), javaOptions, settings.dir(),
                    settings.fastGossip(), settings.akka()));
        }
        List<String> addresses = new ArrayList<>();
        for (RouteNodeProcess node : nodes) {
            addresses.add(node.expect(START, "address")[1]);
        }
        nodes.forEach(node -> node.send("join " + addresses.get(0)));
        for (RouteNodeProcess node : nodes) {
            ids.add(node.expect(START, "up")[1]);
        }
        for (RouteNodeProcess node : nodes) {
            node.send("subscribe warmup/" + node.index());
            node.expect(START, "at");
        }
        nodes.forEach(node -> node.send("await-entries " + settings.nodes() + " " + START.toMillis()));
        for (RouteNodeProcess node : nodes) {
            node.expect(START, "entries");
        }
    }

    /** Live heap of each node, one after the other so their full collections do not compete. */
    private long[] heap(String label) throws Exception {
        long[] heap = new long[nodes.size()];
        for (RouteNodeProcess node : nodes) {
            node.send("heap " + label);
            heap[node.index()] = Long.parseLong(node.expect(HEAP, "heap")[1]);
        }
        return heap;
    }

    /** Per node, the most heap in use right after a collection since the bulk began. */
    private long[] peakHeap() throws Exception {
        long[] peak = new long[nodes.size()];
        for (RouteNodeProcess node : nodes) {
            node.send("peak-heap");
            peak[node.index()] = Long.parseLong(node.expect(START, "peak-heap")[1]);
        }
        return peak;
    }

    /** Waits until every node sees every other as reachable again. */
    private void settle() throws Exception {
        for (RouteNodeProcess node : nodes) {
            node.send("settle " + START.toMillis());
            node.expect(START.plusSeconds(10), "settled");
        }
    }

    private RoutesResult.Bulk bulk() throws Exception {
        long expected = settings.filters() + settings.nodes(); // and the warm-up filters
        nodes.forEach(node -> node.send("bulk " + settings.filters() + " " + expected + " "
                + settings.bulkTimeout().toMillis()));
        long start = Long.MAX_VALUE;
        long registered = 0;
        for (RouteNodeProcess node : nodes) {
            String[] r = node.expect(settings.bulkTimeout(), "registered");
            start = Math.min(start, Long.parseLong(r[1]));
            registered = Math.max(registered, Long.parseLong(r[2]));
        }
        List<Double> complete = new ArrayList<>();
        for (RouteNodeProcess node : nodes) {
            String[] r = node.expect(settings.bulkTimeout().plus(START), "entries", "timeout");
            complete.add(r[0].equals("entries") ? seconds(Long.parseLong(r[1]) - start) : null);
        }
        return new RoutesResult.Bulk(seconds(registered - start), complete);
    }

    /** Adds, then removes, one new filter at a time, on each node in turn; [0] adds, [1] removes. */
    private Visibility[] probes() throws Exception {
        Random pauses = new Random(42);
        List<List<Double>> adds = new ArrayList<>();
        List<List<Double>> removes = new ArrayList<>();
        int addTimeouts = 0;
        int removeTimeouts = 0;
        for (int k = 0; k < settings.probes(); k++) {
            long i = settings.filters() + k;
            RouteNodeProcess writer = nodes.get(k % nodes.size());
            Thread.sleep(pauses.nextInt(MAX_PAUSE_MS));
            List<Double> add = change(writer, "subscribe", RouteFilters.filter(i), RouteFilters.topic(i), true);
            if (add == null) {
                addTimeouts++;
                continue; // not everywhere: its removal would not measure anything
            }
            adds.add(add);
            Thread.sleep(pauses.nextInt(MAX_PAUSE_MS));
            List<Double> remove = change(writer, "unsubscribe", RouteFilters.filter(i), RouteFilters.topic(i), false);
            if (remove == null) {
                removeTimeouts++;
            } else {
                removes.add(remove);
            }
        }
        return new Visibility[]{new Visibility(adds, addTimeouts), new Visibility(removes, removeTimeouts)};
    }

    /** Milliseconds until each other node saw the change, or null if one did not in time. */
    private List<Double> change(RouteNodeProcess writer, String command, String filter, String topic, boolean present)
            throws Exception {
        List<RouteNodeProcess> others = nodes.stream().filter(n -> n != writer).toList();
        for (RouteNodeProcess other : others) {
            other.send("watch " + topic + " " + ids.get(writer.index()) + " " + (present ? "present" : "absent")
                    + " " + settings.probeTimeout().toMillis());
            other.expect(START, "watching");
        }
        writer.send(command + " " + filter);
        long at = Long.parseLong(writer.expect(START, "at")[1]);
        List<Double> seen = new ArrayList<>();
        boolean timedOut = false;
        for (RouteNodeProcess other : others) {
            String[] r = other.expect(settings.probeTimeout().plus(START), "seen", "timeout");
            if (r[0].equals("timeout")) {
                timedOut = true;
            } else {
                seen.add((Long.parseLong(r[1]) - at) / 1e6);
            }
        }
        return timedOut ? null : seen;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
