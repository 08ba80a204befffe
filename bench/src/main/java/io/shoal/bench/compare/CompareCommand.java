package io.shoal.bench.compare;

import io.shoal.bench.DurationConverter;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.ConnectionsResult;
import io.shoal.bench.report.Result;
import io.shoal.bench.report.ResultTable;
import io.shoal.bench.report.TrafficResult;
import io.shoal.bench.scenario.ConnectionsRun;
import io.shoal.bench.scenario.Topology;
import io.shoal.bench.scenario.TrafficRun;
import io.netty.handler.codec.mqtt.MqttVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Starts Shoal and its peers one after the other, each on its own loopback port, runs the same
 * scenarios against each, and prints the results with Shoal/peer ratios.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run the same scenarios against Shoal and peer brokers; print a table with Shoal/peer ratios.")
public final class CompareCommand implements Callable<Integer> {

    @Option(names = "--brokers", split = ",", description = "Brokers, in order (default: ${DEFAULT-VALUE})")
    List<String> brokers = List.of("shoal", "mosquitto", "hivemq", "moquette");

    @Option(names = "--scenarios", split = ",",
            description = "Scenarios, in order; connections first measures memory on a fresh broker (default: ${DEFAULT-VALUE})")
    List<String> scenarios = List.of("connections", "fanin", "fanout", "pairs");

    @Option(names = "--qos", split = ",", description = "QoS levels (default: ${DEFAULT-VALUE})")
    List<Integer> qos = List.of(0, 1, 2);

    @Option(names = "--rates", split = ",",
            description = "Offered msgs/s per traffic run (all publishers together); 0 = maximum sustainable (default: ${DEFAULT-VALUE})")
    List<Double> rates = List.of(0.0, 2_000.0);

    @Option(names = "--payload", description = "Payload bytes (default: ${DEFAULT-VALUE})")
    int payload = 64;

    @Option(names = "--warmup", converter = DurationConverter.class, description = "Warm-up per run (default: 2s)")
    Duration warmup = Duration.ofSeconds(2);

    @Option(names = "--duration", converter = DurationConverter.class, description = "Measurement per run (default: 5s)")
    Duration duration = Duration.ofSeconds(5);

    @Option(names = "--fanin-publishers", description = "(default: ${DEFAULT-VALUE})")
    int faninPublishers = 50;

    @Option(names = "--fanout-subscribers", description = "(default: ${DEFAULT-VALUE})")
    int fanoutSubscribers = 100;

    @Option(names = "--pairs", description = "(default: ${DEFAULT-VALUE})")
    int pairs = 500;

    @Option(names = "--connections", description = "Connections to hold (default: ${DEFAULT-VALUE})")
    int connections = 10_000;

    @Option(names = "--connect-rate", description = "New connections per second (default: ${DEFAULT-VALUE})")
    double connectRate = 2_000;

    @Option(names = "--hold", converter = DurationConverter.class, description = "How long connections are held (default: 10s)")
    Duration hold = Duration.ofSeconds(10);

    @Option(names = "--java-opts", description = "JVM options for every Java broker (default: ${DEFAULT-VALUE})")
    String javaOpts = "-Xms1g -Xmx1g";

    @Option(names = "--shoal-jar", description = "(default: ${DEFAULT-VALUE})")
    Path shoalJar = Path.of("deploy/target/shoal.jar");

    @Option(names = "--hivemq-jar", description = "(default: ${DEFAULT-VALUE})")
    Path hivemqJar = Path.of("bench/peers/hivemq/target/peer-hivemq.jar");

    @Option(names = "--moquette-jar", description = "(default: ${DEFAULT-VALUE})")
    Path moquetteJar = Path.of("bench/peers/moquette/target/peer-moquette.jar");

    @Option(names = "--mosquitto", description = "Mosquitto binary (default: ${DEFAULT-VALUE})")
    String mosquitto = "/usr/sbin/mosquitto";

    @Option(names = "--work-dir", description = "Broker configuration, data and logs (default: ${DEFAULT-VALUE})")
    Path workDir = Path.of("bench/target/compare");

    @Option(names = "--port", description = "Loopback port of the first broker; each next one uses the next port (default: ${DEFAULT-VALUE})")
    int firstPort = 19883;

    @Option(names = "--json", description = "Also write all results to this JSON file")
    Path json;

    @Override
    public Integer call() throws Exception {
        PeerBroker.Paths paths = new PeerBroker.Paths(shoalJar, mosquitto, hivemqJar, moquetteJar, workDir);
        List<String> jvm = Arrays.stream(javaOpts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        List<Result> results = new ArrayList<>();
        int port = firstPort;
        for (String name : brokers) {
            PeerBroker broker = PeerBroker.named(name);
            System.err.println("== " + name);
            results.addAll(runAll(broker, port++, paths, jvm));
        }
        PrintStream out = System.out;
        ResultTable.print(results, out);
        printRatios(results, out);
        if (json != null) {
            ResultTable.writeJson(results, json);
        }
        return 0;
    }

    /** Every scenario against one broker; a run that fails is reported and skipped, a broker that died restarted. */
    private List<Result> runAll(PeerBroker broker, int port, PeerBroker.Paths paths, List<String> jvm) throws Exception {
        List<Result> results = new ArrayList<>();
        List<Callable<Result>> runs = new ArrayList<>();
        ClientOptions client = new ClientOptions(MqttVersion.MQTT_3_1_1, 60, 100);
        BrokerProcessHandle[] handle = {broker.start(port, paths, jvm)};
        for (String scenario : scenarios) {
            if (scenario.equals("connections")) {
                runs.add(() -> new ConnectionsRun(new ConnectionsRun.Settings(broker.name, "127.0.0.1", port,
                        connections, connectRate, hold, new ClientOptions(MqttVersion.MQTT_3_1_1, 300, 1), 0,
                        handle[0].process().pid())).run());
                continue;
            }
            for (double rate : rates) {
                for (int q : qos) {
                    runs.add(() -> new TrafficRun(topology(scenario, "cmp/" + q + "/" + (long) rate),
                            new TrafficRun.Settings(broker.name, "127.0.0.1", port, q, payload, rate, warmup, duration,
                                    Long.MAX_VALUE, client, 0, handle[0].process().pid())).run());
                }
            }
        }
        try {
            for (Callable<Result> run : runs) {
                try {
                    results.add(progress(run.call()));
                } catch (Exception e) {
                    System.err.println("run failed against " + broker.name + ": " + e);
                    if (!handle[0].process().isAlive()) {
                        System.err.println(broker.name + " died; see " + paths.workDir() + "; restarting it");
                        handle[0].close();
                        handle[0] = broker.start(port, paths, jvm);
                    }
                }
            }
        } finally {
            handle[0].close();
        }
        return results;
    }

    private Topology topology(String scenario, String prefix) {
        return switch (scenario) {
            case "fanin" -> new Topology.FanIn(prefix, faninPublishers);
            case "fanout" -> new Topology.FanOut(prefix, fanoutSubscribers);
            case "pairs" -> new Topology.Pairs(prefix, pairs);
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
        };
    }

    private static Result progress(Result result) {
        ResultTable.print(List.of(result), System.err);
        return result;
    }

    /** For every run Shoal made, how Shoal compares with each peer's same run. */
    private void printRatios(List<Result> results, PrintStream out) {
        List<String> peers = brokers.stream().filter(b -> !b.equals("shoal")).toList();
        if (!brokers.contains("shoal") || peers.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("Shoal / peer", "qos", "offered/s"));
        for (String peer : peers) {
            header.addAll(List.of(peer + " delivered", peer + " p99", peer + " cpu"));
        }
        rows.add(header.toArray(String[]::new));
        for (Result r : results) {
            if (r instanceof TrafficResult shoal && shoal.broker().equals("shoal")) {
                List<String> row = new ArrayList<>(List.of(shoal.scenario(), String.valueOf(shoal.qos()),
                        shoal.offeredPerSecond() > 0 ? String.format(Locale.ROOT, "%,.0f", shoal.offeredPerSecond()) : "max"));
                for (String peer : peers) {
                    Optional<TrafficResult> same = results.stream().filter(TrafficResult.class::isInstance)
                            .map(TrafficResult.class::cast)
                            .filter(p -> p.broker().equals(peer) && p.scenario().equals(shoal.scenario())
                                    && p.qos() == shoal.qos() && p.offeredPerSecond() == shoal.offeredPerSecond())
                            .findFirst();
                    row.add(ratio(shoal.deliveredPerSecond(), same.map(TrafficResult::deliveredPerSecond)));
                    row.add(ratio(shoal.p99Micros(), same.map(p -> p.p99Micros())));
                    row.add(ratio(shoal.brokerCpuCores(), same.map(TrafficResult::brokerCpuCores)));
                }
                rows.add(row.toArray(String[]::new));
            }
        }
        results.stream().filter(r -> r instanceof ConnectionsResult c && c.broker().equals("shoal")).findFirst()
                .map(ConnectionsResult.class::cast).ifPresent(shoal -> {
                    List<String> row = new ArrayList<>(List.of("connections: bytes/connection", "-", "-"));
                    for (String peer : peers) {
                        Optional<ConnectionsResult> same = results.stream()
                                .filter(r -> r instanceof ConnectionsResult c && c.broker().equals(peer))
                                .map(ConnectionsResult.class::cast).findFirst();
                        row.add(ratio(toDouble(shoal.rssPerConnectionBytes()),
                                same.map(c -> toDouble(c.rssPerConnectionBytes()))));
                        row.add("");
                        row.add("");
                    }
                    rows.add(row.toArray(String[]::new));
                });
        out.println("Ratios Shoal/peer: delivered > 1 is better for Shoal; p99, cpu and memory < 1 are better for Shoal.");
        ResultTable.printRows(rows, out);
    }

    private static String ratio(Double shoal, Optional<Double> peer) {
        if (shoal == null || peer.isEmpty() || peer.get() == null || peer.get() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", shoal / peer.get());
    }

    private static Double toDouble(Long value) {
        return value == null ? null : value.doubleValue();
    }
}
