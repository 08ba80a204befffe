package io.shoal.bench.routes;

import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One run of the routes command.
 *
 * @param settings the Akka settings that shape propagation, as the nodes had them
 * @param bulk     the registration of all filters
 * @param add      a new filter on one node, seen by the others
 * @param remove   that filter's last unsubscribe, seen by the others
 * @param nodes    per node, in index order
 */
record RoutesResult(long filters, int nodeCount, int buckets, String settings, Bulk bulk, Visibility add,
                    Visibility remove, List<Node> nodes, LogFindings logs) {

    /**
     * @param registeredSeconds from the first subscribed() call on any node to the last one on all
     * @param completeSeconds   per node, from that first call until its view held every entry; null if it never did
     */
    record Bulk(double registeredSeconds, List<Double> completeSeconds) {

        Double allCompleteSeconds() {
            return completeSeconds.contains(null) ? null : completeSeconds.stream().mapToDouble(d -> d).max().orElseThrow();
        }
    }

    /**
     * @param heapBeforeBytes       live heap (after a full GC) with the cluster formed and the table empty
     * @param heapPeakDuringBulkBytes the most heap in use right after any GC during the bulk: live
     *                              data and old garbage not yet collected, an upper bound
     * @param heapAtRestBytes       live heap after the probes, with no route change for a while
     */
    record Node(String id, long heapBeforeBytes, long heapPeakDuringBulkBytes, long heapAtRestBytes, long writes,
                long updates, long updatesWithoutDelta, long writeFailures, long ownEntriesRestored, long viewEntries) {
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "Routing table: %,d filters over %d nodes, %d buckets%n", filters, nodeCount, buckets);
        out.println("  " + settings);
        Double all = bulk.allCompleteSeconds();
        out.printf(Locale.ROOT, "bulk: subscribed() calls done in %.1f s (%,.0f filters/s); every entry on every node after %s%s%n",
                bulk.registeredSeconds(), filters / bulk.registeredSeconds(),
                all == null ? "NEVER (timeout)" : String.format(Locale.ROOT, "%.1f s", all),
                all == null ? "" : String.format(Locale.ROOT, " (%,.0f filters/s)", filters / all));
        out.println("  complete per node: " + bulk.completeSeconds().stream()
                .map(s -> s == null ? "timeout" : String.format(Locale.ROOT, "%.1f s", s))
                .collect(Collectors.joining(" / ")));
        printVisibility(out, "add   ", add);
        printVisibility(out, "remove", remove);
        out.println("heap per node: live with an empty table; most in use after a GC during the bulk; live at rest after the probes, its growth per filter");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            out.printf(Locale.ROOT, "  node %d: %.1f MiB; %.1f MiB; %.1f MiB = %.0f B/filter"
                            + "  (writes %,d in %,d updates, %,d of them by gossip only; failed %d, own restored %d, view entries %,d)%n",
                    i, mib(n.heapBeforeBytes()),
                    mib(n.heapPeakDuringBulkBytes()),
                    mib(n.heapAtRestBytes()), (double) (n.heapAtRestBytes() - n.heapBeforeBytes()) / filters,
                    n.writes(), n.updates(), n.updatesWithoutDelta(), n.writeFailures(), n.ownEntriesRestored(), n.viewEntries());
        }
        out.println("node logs (numbers shown as #):" + (logs.counts().isEmpty() ? " nothing" : ""));
        for (Map.Entry<String, Integer> kind : logs.counts().entrySet()) {
            out.printf("  %5d x %s%n", kind.getValue(), kind.getKey());
        }
    }

    private static void printVisibility(PrintStream out, String what, Visibility v) {
        if (v.probesMs().isEmpty() && v.timeouts() == 0) {
            out.println(what + " not measured: the bulk did not complete");
            return;
        }
        List<Double> all = v.allNodesSorted();
        List<Double> each = v.eachNodeSorted();
        out.printf(Locale.ROOT, "%s visible on all other nodes, %d probes: p50 %.0f ms, p99 %.0f ms, max %.0f ms;"
                        + " on each node: p50 %.0f ms, max %.0f ms; the first probe, right after the bulk: %.0f ms%s%n",
                what, all.size(), Visibility.percentile(all, 50), Visibility.percentile(all, 99),
                Visibility.percentile(all, 100), Visibility.percentile(each, 50), Visibility.percentile(each, 100),
                v.probesMs().isEmpty() ? Double.NaN : Collections.max(v.probesMs().get(0)),
                v.timeouts() == 0 ? "" : "; " + v.timeouts() + " TIMED OUT");
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024);
    }
}
