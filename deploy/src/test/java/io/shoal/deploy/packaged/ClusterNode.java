package io.shoal.deploy.packaged;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * One Shoal JVM of a test cluster, configured only by SHOAL_* variables. Its addresses are fixed,
 * so a restart comes back where the other nodes, the balancer and the clients expect it; each run
 * logs to a file of its own ({@code node2-run1.log}, {@code node2-run2.log}, ...).
 */
final class ClusterNode {

    /** A node's view of the cluster, as GET /health/cluster tells it. */
    record Members(int up, int unreachable) {
        private static final Pattern JSON = Pattern.compile("\\{\"up\":(\\d+),\"unreachable\":(\\d+)}");

        static Members parse(String json) {
            Matcher m = JSON.matcher(json.strip());
            if (!m.matches()) {
                throw new IllegalStateException("unexpected /health/cluster answer: " + json);
            }
            return new Members(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final String host;
    private final int mqttPort;
    private final int healthPort;
    private final List<String> launcher;
    private final Map<String, String> env;
    private final Path logDirectory;
    private Process process;
    private int runs;

    /**
     * @param host     the address the node's MQTT and health listeners bind to and clients use
     * @param launcher what runs the JVM, e.g. {@code ip netns exec ns1}; empty to run it directly.
     *                 With a launcher the variables are passed through {@code env}, as sudo would
     *                 drop them otherwise
     * @param env      every SHOAL_* variable of the node
     */
    ClusterNode(String name, String host, int mqttPort, int healthPort, List<String> launcher,
                Map<String, String> env, Path logDirectory) {
        this.name = name;
        this.host = host;
        this.mqttPort = mqttPort;
        this.healthPort = healthPort;
        this.launcher = List.copyOf(launcher);
        this.env = Map.copyOf(env);
        this.logDirectory = logDirectory;
    }

    /** Starts a new run of the node (after a kill: the same ports and data, as an orchestrator would). */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        runs++;
        List<String> command = new ArrayList<>(launcher);
        if (!launcher.isEmpty()) {
            command.add("env");
            env.forEach((key, value) -> command.add(key + "=" + value));
        }
        // The node's own logback configuration turns Akka's cluster events (unreachable, downed,
        // removed) up to INFO, so that a failed run can be read from the logs.
        command.addAll(BrokerProcess.javaCommand("-Dlogback.configurationFile="
                + ClusterNode.class.getResource("/cluster-node-logback.xml")));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log().toFile());
        if (launcher.isEmpty()) {
            builder.environment().putAll(env);
        }
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Waits until GET /health/ready answers 200; fails at once if the JVM exits meanwhile. */
    void awaitReady() {
        await(name + " ready").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!alive()) {
                        throw new AssertionError(name + " exited with " + process.exitValue() + "; see " + log());
                    }
                    return ready();
                });
    }

    /** SIGKILL, as a crash or an OOM killer would: no shutdown, nothing handed over. */
    synchronized void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly); // the JVM, if a sudo launcher forked it
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** Waits until the JVM has exited, and returns its exit code. */
    int awaitExit(Duration atMost) {
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still runs after " + atMost + "; see " + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Whether GET /health/ready answers 200 now (false if it does not answer at all). */
    boolean ready() {
        try {
            return get("/health/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** This node's view of the cluster now. */
    Members members() throws IOException {
        return Members.parse(get("/health/cluster").body());
    }

    private HttpResponse<String> get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + healthPort + path))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The log of the current (or last) run. */
    Path log() {
        return logDirectory.resolve(name + "-run" + runs + ".log");
    }

    String name() {
        return name;
    }

    String host() {
        return host;
    }

    int mqttPort() {
        return mqttPort;
    }

    int healthPort() {
        return healthPort;
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + mqttPort + ")";
    }
}
