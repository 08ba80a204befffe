package io.shoal.bench.routes;

import java.util.Collections;
import java.util.List;

/**
 * How long single route changes took to be seen, in milliseconds from the writer's call to the
 * first poll of another node's view that saw it.
 *
 * @param probesMs per probe, in the order they ran: the time each other node took
 * @param timeouts probes some node did not see within the timeout (not in the samples)
 */
record Visibility(List<List<Double>> probesMs, int timeouts) {

    static final Visibility NOT_MEASURED = new Visibility(List.of(), 0);

    /** Per probe, until every other node saw it; sorted. */
    List<Double> allNodesSorted() {
        return probesMs.stream().map(Collections::max).sorted().toList();
    }

    /** Per probe and other node; sorted. */
    List<Double> eachNodeSorted() {
        return probesMs.stream().flatMap(List::stream).sorted().toList();
    }

    /** Nearest-rank percentile of sorted samples; NaN without samples. */
    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
