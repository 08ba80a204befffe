package io.shoal.bench.peers;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs HiveMQ Community Edition as a peer broker for the benchmark's compare command, in its own JVM.
 * Usage: {@code java -jar peer-hivemq.jar <host> <port> <workDir>}. Writes config.xml to workDir/conf,
 * starts the embedded broker with one plain TCP listener (MQTT 3.1, 3.1.1 and 5), prints
 * {@code READY <port>} on stdout once it accepts connections, and stops it on SIGTERM.
 * Logging goes to stderr at WARN (src/main/resources/logback.xml).
 */
public final class HiveMqPeer {

    private HiveMqPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java -jar peer-hivemq.jar <host> <port> <workDir>");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Path work = Path.of(args[2]).toAbsolutePath();
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), String.join("\n",
                "<hivemq>",
                "  <listeners><tcp-listener>",
                "    <port>" + port + "</port><bind-address>" + host + "</bind-address>",
                "  </tcp-listener></listeners>",
                "  <mqtt>",
                // Per-client queue for QoS 1/2 messages beyond the inflight window (default 1000, then drop).
                "    <queued-messages><max-queue-size>100000</max-queue-size></queued-messages>",
                // Receive Maximum: QoS 1/2 publishes an MQTT 5 client may have unacknowledged towards us
                // (default 10; MQTT 3.1.1 has no such limit). The window towards subscribers is HiveMQ's
                // fixed internal 50 (InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES).
                "    <receive-maximum><server-receive-maximum>65535</server-receive-maximum></receive-maximum>",
                "  </mqtt>",
                // Sessions, queues and retained messages in memory, nothing on disk (default: file).
                "  <persistence><mode>in-memory</mode></persistence>",
                // No usage statistics sent home.
                "  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>",
                "</hivemq>", ""));
        // QoS 0 messages waiting for one client are capped by estimated memory (internal default
        // 5 MiB, then dropped); raise it so QoS 0 gets a budget comparable to the QoS 1/2 queue.
        InternalConfigurations.QOS_0_MEMORY_LIMIT_PER_CLIENT_BYTES.set(128 * 1024 * 1024);

        // The embedded broker allows anonymous clients (no authentication extension installed).
        // Without the logging bootstrap HiveMQ keeps our logback.xml instead of its own stdout setup.
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(work.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(work.resolve("extensions")))
                .withoutLoggingBootstrap()
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                hivemq.close();
            } catch (Exception e) {
                System.err.println("HiveMQ did not stop cleanly: " + e);
            }
        }, "hivemq-peer-shutdown"));
        try {
            hivemq.start().join(); // completes once the listener is bound
        } catch (Exception e) {
            System.err.println("HiveMQ failed to start: " + e);
            System.exit(1);
        }
        System.out.println("READY " + port);
        System.out.flush();
    }
}
