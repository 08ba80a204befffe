package io.shoal.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints results as an aligned text table, and writes them as JSON. */
public final class ResultTable {

    private ResultTable() {
    }

    public static void print(List<? extends Result> results, PrintStream out) {
        List<TrafficResult> traffic = results.stream().filter(TrafficResult.class::isInstance)
                .map(TrafficResult.class::cast).toList();
        List<ConnectionsResult> connections = results.stream().filter(ConnectionsResult.class::isInstance)
                .map(ConnectionsResult.class::cast).toList();
        if (!traffic.isEmpty()) {
            // The subscribers' broker has a column only when it was another process.
            boolean twoBrokers = traffic.stream().anyMatch(r -> r.subscriberBrokerCpuCores() != null);
            List<String[]> rows = new ArrayList<>();
            List<String> header = new ArrayList<>(List.of("broker", "scenario", "qos", "bytes", "pub", "sub",
                    "offered/s", "delivered/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "lost", "dup", "cpu cores"));
            if (twoBrokers) {
                header.add("sub cpu cores");
            }
            header.add("rss MiB");
            rows.add(header.toArray(String[]::new));
            for (TrafficResult r : traffic) {
                List<String> row = new ArrayList<>(List.of(r.broker(), r.scenario(), String.valueOf(r.qos()),
                        String.valueOf(r.payloadBytes()), String.valueOf(r.publishers()), String.valueOf(r.subscribers()),
                        r.offeredPerSecond() > 0 ? count(r.offeredPerSecond()) : "max", count(r.deliveredPerSecond()),
                        millis(r.p50Micros()), millis(r.p99Micros()), millis(r.p999Micros()), millis(r.maxMicros()),
                        String.valueOf(r.lost()), String.valueOf(r.duplicates()), cores(r.brokerCpuCores())));
                if (twoBrokers) {
                    row.add(cores(r.subscriberBrokerCpuCores()));
                }
                row.add(mib(r.brokerRssBytes()));
                rows.add(row.toArray(String[]::new));
            }
            printRows(rows, out);
        }
        if (!connections.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"broker", "requested", "connected", "failed", "connects/s", "connect p50 ms",
                    "connect p99 ms", "rss before MiB", "rss held MiB", "rss B/conn", "heap B/conn"});
            for (ConnectionsResult r : connections) {
                rows.add(new String[] {r.broker(), String.valueOf(r.requested()), String.valueOf(r.connected()),
                        String.valueOf(r.failed()), count(r.connectsPerSecond()), millis(r.connectP50Micros()),
                        millis(r.connectP99Micros()), mib(r.brokerRssBeforeBytes()),
                        mib(r.brokerRssHeldBytes()),
                        r.rssPerConnectionBytes() == null ? "-" : String.valueOf(r.rssPerConnectionBytes()),
                        r.heapPerConnectionBytes() == null ? "-" : String.valueOf(r.heapPerConnectionBytes())});
            }
            printRows(rows, out);
        }
        List<OfflineResult> offline = results.stream().filter(OfflineResult.class::isInstance)
                .map(OfflineResult.class::cast).toList();
        if (!offline.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"broker", "sub", "pub", "topics", "messages", "acked", "acked/s", "queued/s",
                    "ack p50 ms", "ack p99 ms", "ack p99.9 ms", "ack max ms", "reconnected", "connack p50 ms",
                    "connack max ms", "drain s", "drained/s", "lost", "dup", "out of order"});
            for (OfflineResult r : offline) {
                OfflineResult.Burst b = r.burst();
                OfflineResult.Drain d = r.drain();
                rows.add(new String[] {r.broker(), String.valueOf(r.subscribers()), String.valueOf(r.publishers()),
                        r.topics(), String.valueOf(r.messages()),
                        b == null ? "-" : String.valueOf(b.acknowledged()),
                        b == null ? "-" : count(b.acknowledgedPerSecond()),
                        b == null ? "-" : count(b.queuedPerSecond()),
                        b == null ? "-" : millis(b.ackP50Micros()), b == null ? "-" : millis(b.ackP99Micros()),
                        b == null ? "-" : millis(b.ackP999Micros()), b == null ? "-" : millis(b.ackMaxMicros()),
                        d == null ? "-" : String.valueOf(d.reconnected()),
                        d == null ? "-" : millis(d.connAckP50Micros()), d == null ? "-" : millis(d.connAckMaxMicros()),
                        d == null ? "-" : String.format(Locale.ROOT, "%.2f", d.seconds()),
                        d == null ? "-" : count(d.drainedPerSecond()),
                        d == null ? "-" : String.valueOf(d.lost()), d == null ? "-" : String.valueOf(d.duplicates()),
                        d == null ? "-" : String.valueOf(d.outOfOrder())});
            }
            printRows(rows, out);
        }
        List<TakeoverResult> takeovers = results.stream().filter(TakeoverResult.class::isInstance)
                .map(TakeoverResult.class::cast).toList();
        if (!takeovers.isEmpty()) {
            printTakeovers(takeovers, out);
        }
    }

    private static void printTakeovers(List<TakeoverResult> takeovers, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"broker", "mode", "sessions", "conc", "msgs", "moved", "failed", "not present",
                "old open", "told 0x8E", "connack p50 ms", "connack p99 ms", "connack max ms", "old closed p50 ms",
                "old closed p99 ms", "old closed max ms", "last msg p50 ms", "last msg p99 ms", "last msg max ms", "after p50 ms",
                "after p99 ms", "after max ms", "lost", "after lost", "dup", "moves/s"});
        for (TakeoverResult r : takeovers) {
            rows.add(new String[] {r.broker(), r.mode(), String.valueOf(r.sessions()), String.valueOf(r.concurrency()),
                    String.valueOf(r.messagesPerSession()), String.valueOf(r.moved()), String.valueOf(r.failed()),
                    String.valueOf(r.sessionNotPresent()), String.valueOf(r.oldNotClosed()),
                    r.toldTakenOver() == null ? "-" : String.valueOf(r.toldTakenOver()),
                    millis(r.connAck().p50Micros()), millis(r.connAck().p99Micros()), millis(r.connAck().maxMicros()),
                    millis(r.oldClosed().p50Micros()), millis(r.oldClosed().p99Micros()), millis(r.oldClosed().maxMicros()),
                    millis(r.lastPending().p50Micros()), millis(r.lastPending().p99Micros()),
                    millis(r.lastPending().maxMicros()), millis(r.after().p50Micros()), millis(r.after().p99Micros()),
                    millis(r.after().maxMicros()), String.valueOf(r.lost()), String.valueOf(r.afterLost()),
                    String.valueOf(r.duplicates()), String.format(Locale.ROOT, "%.1f", r.takeoversPerSecond())});
        }
        printRows(rows, out);
    }

    public static void writeJson(List<? extends Result> results, Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
    }

    public static void printRows(List<String[]> rows, PrintStream out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == 0 ? String.format("%-" + widths[i] + "s", row[i])
                        : String.format("  %" + widths[i] + "s", row[i]));
            }
            out.println(line);
        }
        out.println();
    }

    static String count(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String millis(Double micros) {
        return micros == null ? "-" : String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    static String cores(Double cores) {
        return cores == null ? "-" : String.format(Locale.ROOT, "%.2f", cores);
    }

    static String mib(Long bytes) {
        return bytes == null ? "-" : String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }
}
