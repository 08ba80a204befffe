package io.shoal.persistence.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cassandra 5.0 in a JVM of its own, on the classpath persistence/cassandra-server resolves
 * (Cassandra's Guava, Netty and Jackson clash with the broker's, so it cannot run in-process).
 * Its data lives in a temporary directory removed on close; its log is kept under target/.
 */
final class ForkedCassandra implements CassandraServer {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedCassandra.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;

    private final Path dir;
    private final Path log;
    private final int nativePort;
    private final List<String> command;
    private final Thread killOnJvmExit = new Thread(this::kill, "kill-forked-cassandra");
    private volatile Process process;

    private ForkedCassandra(Path dir, Path log, int nativePort, List<String> command) {
        this.dir = dir;
        this.log = log;
        this.nativePort = nativePort;
        this.command = command;
    }

    static ForkedCassandra launch() {
        try {
            Path dir = Files.createTempDirectory("shoal-cassandra-");
            int[] ports = freePorts();
            Path logDir = Path.of(System.getProperty("shoal.cassandra.logdir", "target/cassandra"));
            Files.createDirectories(logDir);
            Path log = logDir.resolve("cassandra-" + ports[1] + ".log").toAbsolutePath();
            writeResource("cassandra.yaml", dir, Map.of(
                    "${dir}", dir.toString(),
                    "${storagePort}", String.valueOf(ports[0]),
                    "${nativePort}", String.valueOf(ports[1])));
            writeResource("logback.xml", dir, Map.of());
            ForkedCassandra cassandra = new ForkedCassandra(dir, log, ports[1], command(dir, logDir));
            // Backstop for a test JVM that exits without closing the JUnit root store.
            Runtime.getRuntime().addShutdownHook(cassandra.killOnJvmExit);
            try {
                cassandra.start();
            } catch (RuntimeException e) {
                cassandra.close();
                throw e;
            }
            return cassandra;
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare a Cassandra to fork", e);
        }
    }

    @Override
    public String contactPoint() {
        return HOST + ":" + nativePort;
    }

    @Override
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void start() {
        if (running()) {
            throw new IllegalStateException("Cassandra is already running (pid " + process.pid() + ")");
        }
        long started = System.nanoTime();
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command.get(0), e);
        }
        awaitCql();
        LOG.info("Cassandra (pid {}) answers CQL on {} after {} ms; log: {}", process.pid(),
                contactPoint(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), log);
    }

    /**
     * SIGTERM, on which Cassandra drains: flushes everything, so data and schema survive although
     * unsafesystem skips the flushes that would let them survive a SIGKILL.
     */
    @Override
    public synchronized void stop() {
        if (!running()) {
            throw new IllegalStateException("Cassandra is not running");
        }
        process.destroy();
        awaitExit(process);
    }

    @Override
    public synchronized void close() throws IOException {
        kill();
        Runtime.getRuntime().removeShutdownHook(killOnJvmExit);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** SIGKILL, for when the data is thrown away. Unsynchronized: the shutdown hook calls it. */
    private void kill() {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
            awaitExit(current);
        }
    }

    private static void awaitExit(Process process) {
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("Cassandra (pid " + process.pid() + ") did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitCql() {
        try {
            Awaitility.await("Cassandra answering CQL on " + contactPoint())
                    .atMost(STARTUP_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .failFast("Cassandra exited during start-up", () -> !process.isAlive())
                    .ignoreExceptions()
                    .until(() -> nativePortAccepts() && answersCql());
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            kill();
            throw new IllegalStateException(e.getMessage().strip() + "\nLast lines of " + log + ":\n" + logTail(), e);
        }
    }

    // A cheap check first, so that the driver does not log a failed connection on every poll.
    private boolean nativePortAccepts() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, nativePort), 1000);
            return true;
        }
    }

    private boolean answersCql() {
        try (CqlSession session = FixtureSessions.builder(contactPoint()).build()) {
            return session.execute("SELECT release_version FROM system.local").one() != null;
        }
    }

    private String logTail() {
        try (Stream<String> lines = Files.lines(log)) {
            List<String> all = lines.toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(could not read it: " + e + ")";
        }
    }

    private static List<String> command(Path dir, Path logDir) throws IOException {
        return List.of(
                JavaForCassandra.executable().toString(),
                "-Xms64m", "-Xmx256m", "-Xss256k", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                // The JDK 17 module openings Cassandra needs for start-up, DDL/DML, flush and drain.
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "-Dcassandra-foreground=true",
                "-Dcassandra.config=" + dir.resolve("cassandra.yaml").toUri(),
                "-Dcassandra.logdir=" + logDir.toAbsolutePath(),
                "-Dcassandra.triggers_dir=" + dir.resolve("triggers"),
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                // Single throwaway node: no flush of system tables after each schema change (a crash
                // would then lose the schema, hence the graceful stop), no waiting for gossip or ring,
                // no 2 s pause to announce a shutdown to peers.
                "-Dcassandra.unsafesystem=true",
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.ring_delay_ms=0",
                "-Dcassandra.shutdown_announce_in_ms=0",
                "-cp", cassandraClasspath(),
                "org.apache.cassandra.service.CassandraDaemon");
    }

    private static String cassandraClasspath() throws IOException {
        String file = System.getProperty("shoal.cassandra.classpath");
        if (file == null) {
            throw new IllegalStateException("system property shoal.cassandra.classpath is not set;"
                    + " the parent pom sets it for surefire and failsafe");
        }
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: build the persistence/cassandra-server"
                    + " module in the same reactor (e.g. mvn test -pl <module> -am)");
        }
        return Files.readString(path).strip();
    }

    /** Two distinct free loopback ports: storage, then native transport. */
    private static int[] freePorts() throws IOException {
        InetAddress loopback = InetAddress.getByName(HOST);
        try (ServerSocket storage = new ServerSocket(0, 1, loopback);
                ServerSocket nativeTransport = new ServerSocket(0, 1, loopback)) {
            return new int[] {storage.getLocalPort(), nativeTransport.getLocalPort()};
        }
    }

    private static void writeResource(String name, Path dir, Map<String, String> values)
            throws IOException {
        String text;
        try (InputStream in = ForkedCassandra.class.getResourceAsStream(name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace(value.getKey(), value.getValue());
        }
        Files.writeString(dir.resolve(name), text);
    }
}
