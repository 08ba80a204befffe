package io.shoal.bench.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shoal.bench.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "routes", mixinStandardHelpOptions = true,
        description = {"The cluster routing table: starts N cluster nodes as processes of this jar, registers F distinct"
                + " filters spread evenly over them, and reports how long until every node holds them all, how long"
                + " single new and removed routes take to be seen on the other nodes, and each node's live heap for them.",
                "Nodes use Shoal's Akka settings, production gossip intervals included, unless told otherwise."})
public final class RoutesCommand implements Callable<Integer> {

    @Option(names = "--filters", description = "Distinct filters in all (default: ${DEFAULT-VALUE})")
    long filters = 100_000;

    @Option(names = "--nodes", description = "Cluster nodes (default: ${DEFAULT-VALUE})")
    int nodes = 3;

    @Option(names = "--probes", description = "Single filters added and removed after the bulk, on each node in turn (default: ${DEFAULT-VALUE})")
    int probes = 30;

    @Option(names = "--node-heap", description = "-Xmx of each node (default: ${DEFAULT-VALUE})")
    String heap = "2g";

    @Option(names = "--node-java-option", description = "A JVM option for each node, '{i}' replaced by its index,"
            + " e.g. -XX:StartFlightRecording=filename=node-{i}.jfr; repeatable")
    List<String> javaOptions = List.of();

    @Option(names = "--fast-gossip", description = "The routing tests' faster gossip (300ms, subscribers notified every 50ms) instead of Akka's defaults")
    boolean fastGossip;

    @Option(names = "--akka", description = "An Akka setting for every node, 'path = value'; repeatable")
    List<String> akka = List.of();

    @Option(names = "--bulk-timeout", converter = DurationConverter.class, description = "Limit for every node to hold every filter (default: 15m)")
    Duration bulkTimeout = Duration.ofMinutes(15);

    @Option(names = "--probe-timeout", converter = DurationConverter.class, description = "Limit for one change to be seen (default: 60s)")
    Duration probeTimeout = Duration.ofSeconds(60);

    @Option(names = "--dir", description = "Where the nodes' logs and class histograms go (default: a new temporary directory)")
    Path dir;

    @Option(names = "--json", description = "Also write the result to this JSON file")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2 || filters < 1 || probes < 0) {
            throw new IllegalArgumentException("needs at least 2 nodes, 1 filter and 0 probes");
        }
        Path runDir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("shoal-routes-");
        System.err.println("node logs and class histograms: " + runDir);
        RoutesResult result = new RoutesRun(new RoutesRun.Settings(filters, nodes, probes, heap, javaOptions, fastGossip, akka,
                bulkTimeout, probeTimeout, runDir)).run();
        result.print(System.out);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), result);
        }
        boolean complete = result.bulk().allCompleteSeconds() != null
                && result.add().timeouts() == 0 && result.remove().timeouts() == 0;
        return complete ? 0 : 1;
    }
}
