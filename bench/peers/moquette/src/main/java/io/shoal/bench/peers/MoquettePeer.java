package io.shoal.bench.peers;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Runs Moquette as a peer broker for the benchmark's compare command, in its own JVM.
 * Usage: {@code java -jar peer-moquette.jar <host> <port> <workDir>}. Starts the broker with one plain
 * TCP listener (Moquette 0.17 speaks MQTT 3.1 and 3.1.1, not 5), prints {@code READY <port>} on
 * stdout once it accepts connections, and stops it on SIGTERM.
 */
public final class MoquettePeer {

    private MoquettePeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java -jar peer-moquette.jar <host> <port> <workDir>");
            System.exit(2);
        }
        // Moquette's slf4j-reload4j binding is for SLF4J 1.7 but the build pins slf4j-api 2, so Moquette's
        // own logging is a no-op (Netty logs via reload4j, see log4j.properties); hide SLF4J's notice.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        int port = Integer.parseInt(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]).toAbsolutePath());

        Properties props = new Properties();
        props.setProperty("host", args[0]);
        props.setProperty("port", Integer.toString(port));
        // Sessions, queues and retained messages in memory (unbounded per-client queues), nothing on disk.
        props.setProperty("persistence_enabled", "false");
        props.setProperty("data_path", work.resolve("data").toString()); // unused while persistence is off
        props.setProperty("allow_anonymous", "true");
        props.setProperty("allow_zero_byte_client_id", "true"); // as MQTT 3.1.1 allows with clean session
        // No telemetry sent to telemetry.moquette.io at start-up (default: on).
        props.setProperty("telemetry_enabled", "false");
        // Commands waiting for each session event loop (default 1024; when full, publishes are dropped).
        props.setProperty("session_queue_size", "100000");
        // Largest accepted MQTT message, as Shoal's default max-packet-size of 1 MiB (default 8092 bytes).
        props.setProperty("netty.mqtt.message_size", "1048576");
        // Netty on NIO (the epoll transport is excluded from the build); TCP_NODELAY is on by default.
        props.setProperty("netty.epoll", "false");
        // Write and flush every outgoing packet at once (Moquette's default, stated for clarity).
        props.setProperty("buffer_flush_millis", "immediate");
        // The QoS 1/2 inflight window towards a subscriber is fixed at 10 in Moquette 0.17
        // (BrokerConstants.INFLIGHT_WINDOW_SIZE); it cannot be configured.

        Server server = new Server();
        try {
            server.startServer(new MemoryConfig(props)); // returns once the listener is bound
        } catch (Exception e) {
            System.err.println("Moquette failed to start: " + e);
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopServer, "moquette-peer-shutdown"));
        // Not server.getPort(): Moquette records the bound port asynchronously, so it may still read 0.
        System.out.println("READY " + port);
        System.out.flush();
    }
}
