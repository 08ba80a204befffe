package io.shoal.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The brokers a comparison can start, each configured for a fair throughput test: in-memory, on
 * loopback, TCP_NODELAY, a QoS 1/2 window of 32, and per-client queues that do not drop messages
 * under a benchmark's bursts. Java brokers get the same JVM options.
 */
enum PeerBroker {
    SHOAL("shoal") {
        @Override
        BrokerProcessHandle start(int port, Paths paths, List<String> jvmOptions) throws Exception {
            return BrokerProcessHandle.start(name, port, java(jvmOptions, paths.shoalJar()), Map.of(
                    "SHOAL_MQTT_HOST", "127.0.0.1",
                    "SHOAL_MQTT_PORT", String.valueOf(port),
                    "SHOAL_CLUSTER_PORT", "0",
                    "SHOAL_HEALTH_PORT", "-1",
                    "SHOAL_MQTT_MAX_INFLIGHT", "32",
                    "SHOAL_MQTT_MAX_QUEUED_MESSAGES", "1000000"), paths.workDir());
        }
    },
    MOSQUITTO("mosquitto") {
        @Override
        BrokerProcessHandle start(int port, Paths paths, List<String> jvmOptions) throws Exception {
            Path conf = paths.workDir().resolve("mosquitto.conf");
            Files.createDirectories(paths.workDir());
            Files.writeString(conf, String.join("\n",
                    "listener " + port + " 127.0.0.1",
                    "allow_anonymous true",
                    "persistence false",
                    "max_inflight_messages 32",
                    "max_queued_messages 0", // 0 = no limit: never drop in a benchmark
                    "max_queued_bytes 0",
                    "set_tcp_nodelay true",
                    ""));
            return BrokerProcessHandle.start(name, port, List.of(paths.mosquitto(), "-c", conf.toString()), Map.of(),
                    paths.workDir());
        }
    },
    HIVEMQ("hivemq") {
        @Override
        BrokerProcessHandle start(int port, Paths paths, List<String> jvmOptions) throws Exception {
            return startPeerJar(this, port, paths.hivemqJar(), paths, jvmOptions);
        }
    },
    MOQUETTE("moquette") {
        @Override
        BrokerProcessHandle start(int port, Paths paths, List<String> jvmOptions) throws Exception {
            return startPeerJar(this, port, paths.moquetteJar(), paths, jvmOptions);
        }
    };

    /** Where the brokers' binaries are and where they may write. */
    record Paths(Path shoalJar, String mosquitto, Path hivemqJar, Path moquetteJar, Path workDir) {
    }

    final String name;

    PeerBroker(String name) {
        this.name = name;
    }

    abstract BrokerProcessHandle start(int port, Paths paths, List<String> jvmOptions) throws Exception;

    static PeerBroker named(String name) {
        for (PeerBroker b : values()) {
            if (b.name.equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown broker '" + name + "' (shoal, mosquitto, hivemq, moquette)");
    }

    private static BrokerProcessHandle startPeerJar(PeerBroker broker, int port, Path jar, Paths paths,
                                                    List<String> jvmOptions) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing; build it with: mvn -q -DskipTests package");
        }
        List<String> command = java(jvmOptions, jar);
        Path dir = paths.workDir().resolve(broker.name);
        command.addAll(List.of("127.0.0.1", String.valueOf(port), dir.toString()));
        return BrokerProcessHandle.start(broker.name, port, command, Map.of(), paths.workDir());
    }

    private static List<String> java(List<String> jvmOptions, Path jar) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }
}
