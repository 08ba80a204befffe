package io.shoal.deploy.packaged;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's HAProxy as a child process, in TCP mode: the load balancer in front of a cluster's MQTT
 * ports (what devices connect to in production), or a plain TCP forwarder. Its configuration is
 * generated into the test's directory under target/, its output logged next to it.
 */
final class HaProxy implements AutoCloseable {

    private static final Path EXECUTABLE = Stream.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")
            .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);

    private static final String BALANCER = "mqtt";

    private final Process process;
    private final int statsPort;

    private HaProxy(Process process, int statsPort) {
        this.process = process;
        this.statsPort = statsPort;
    }

    static boolean installed() {
        return EXECUTABLE != null;
    }

    /** Skips the test when HAProxy is not installed. */
    static void assumeInstalled() {
        assumeTrue(installed(), "HAProxy is not installed (apt-get install haproxy; .ci/run does it)");
    }

    /**
     * A TCP balancer on 127.0.0.1:{@code port} over the nodes' MQTT ports. A node is taken out once
     * two checks of its GET /health/ready in a row fail, so a new connection goes to a node that can
     * serve it; a connection refused by a dead node is sent to another one (redispatch).
     */
    static String balancer(int port, List<ClusterNode> nodes) {
        StringBuilder servers = new StringBuilder();
        for (ClusterNode node : nodes) {
            servers.append("  server %s %s:%d check port %d inter 500ms fall 2 rise 2%n"
                    .formatted(node.name(), node.host(), node.mqttPort(), node.healthPort()));
        }
        return """
                listen %s
                  bind 127.0.0.1:%d
                  balance leastconn
                  option httpchk GET /health/ready
                  option redispatch
                  retries 3
                %s""".formatted(BALANCER, port, servers);
    }

    /** Forwards every TCP connection to {@code bindHost:bindPort} to {@code target} (host:port). */
    static String forwarder(String name, String bindHost, int bindPort, String target) {
        return """
                listen %s
                  bind %s:%d
                  server %s %s
                """.formatted(name, bindHost, bindPort, name, target);
    }

    /** Starts HAProxy with these {@code listen} sections and waits until each accepts connections. */
    static HaProxy start(Path directory, String... sections) throws IOException {
        int statsPort = BrokerProcess.freePort();
        String config = """
                global
                  maxconn 2000
                  log stdout format raw local0
                defaults
                  mode tcp
                  log global
                  option tcplog
                  option logasap
                  timeout connect 500ms
                  timeout check 1s
                  timeout client 10m
                  timeout server 10m
                listen stats
                  mode http
                  bind 127.0.0.1:%d
                  stats enable
                  stats uri /stats
                """.formatted(statsPort) + String.join("", sections);
        Path file = directory.resolve("haproxy.cfg");
        Files.writeString(file, config);
        Process process = new ProcessBuilder(EXECUTABLE.toString(), "-f", file.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(directory.resolve("haproxy.log").toFile()).start();
        HaProxy haProxy = new HaProxy(process, statsPort);
        try {
            for (String bind : config.lines().filter(l -> l.strip().startsWith("bind ")).toList()) {
                String[] hostPort = bind.strip().substring("bind ".length()).split(":");
                haProxy.awaitAccepting(hostPort[0], Integer.parseInt(hostPort[1]), directory);
            }
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return haProxy;
    }

    private void awaitAccepting(String host, int port, Path directory) {
        await("HAProxy on " + host + ":" + port).atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("HAProxy exited: " + Files.readString(directory.resolve("haproxy.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 500);
                return true;
            }
        });
    }

    /** Per node of the balancer: its state as HAProxy's checks see it (UP, DOWN, ...). */
    Map<String, String> nodeStates() {
        return balancerColumn("status");
    }

    /** Per node of the balancer: client connections it carries now. */
    Map<String, Integer> connectionsPerNode() {
        Map<String, Integer> connections = new LinkedHashMap<>();
        balancerColumn("scur").forEach((node, current) -> connections.put(node, Integer.parseInt(current)));
        return connections;
    }

    /** One column of HAProxy's CSV statistics, for each server of the balancer. */
    private Map<String, String> balancerColumn(String column) {
        List<String> lines = stats().lines().toList();
        List<String> header = Arrays.asList(lines.get(0).replaceFirst("^# ", "").split(","));
        int index = header.indexOf(column);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields[0].equals(BALANCER) && !fields[1].equals("FRONTEND") && !fields[1].equals("BACKEND")) {
                values.put(fields[1], fields[index]);
            }
        }
        return values;
    }

    private String stats() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
                    .timeout(Duration.ofSeconds(2)).build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
