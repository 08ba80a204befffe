package io.shoal.deploy.packaged;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** The runnable jar in a process of its own, as the README runs it, its console output in a file. */
final class BrokerProcess {

    private static final Path JAR = Path.of(System.getProperty("shoal.jar", "target/shoal.jar"));

    private final Process process;
    private final Path log;

    private BrokerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the jar with these SHOAL_* variables and arguments; does not wait for it. */
    static BrokerProcess launch(Map<String, String> env, String... arguments) throws IOException {
        Path log = Files.createTempFile("shoal-it", ".log");
        log.toFile().deleteOnExit();
        List<String> command = javaCommand();
        command.addAll(List.of(arguments));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new BrokerProcess(pb.start(), log);
    }

    /** {@code java -Xmx256m [options] -jar shoal.jar}: how every test runs the jar. */
    static List<String> javaCommand(String... options) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        command.addAll(List.of(options));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        return command;
    }

    /** A fresh directory for one test class's logs and generated files: target/{@code name}. */
    static Path outputDirectory(String name) throws IOException {
        Path dir = JAR.toAbsolutePath().getParent().resolve(name);
        if (Files.isDirectory(dir)) {
            try (var old = Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
            }
        }
        return Files.createDirectories(dir);
    }

    /** Starts the jar and waits until its MQTT port accepts connections. */
    static BrokerProcess launchListening(Map<String, String> env, int port) throws IOException {
        BrokerProcess broker = launch(env);
        broker.awaitListening(port);
        return broker;
    }

    void awaitListening(int port) {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the broker exited:\n" + output());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
    }

    Process process() {
        return process;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
