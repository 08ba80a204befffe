package io.shoal.bench.routes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RouteNode} in a child JVM started from this jar: commands go to its stdin, answers come
 * from its stdout, its log goes to {@code node-<i>.log} in the run's directory.
 */
final class RouteNodeProcess implements AutoCloseable {

    /** Marks the node's answers on its stdout, where the JVM may print too (a flight recording starting, say). */
    static final String ANSWER = "@ ";

    private final int index;
    private final Process process;
    private final PrintStream commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path log;

    private RouteNodeProcess(int index, Process process, Path log) {
        this.index = index;
        this.process = process;
        this.log = log;
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "node-" + index + "-answers");
        reader.setDaemon(true);
        reader.start();
    }

    static RouteNodeProcess start(int index, int nodes, String heap, List<String> javaOptions, Path dir,
                                  boolean fastGossip, List<String> akkaSettings) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError",
                // The JVM's own warnings go to stdout by default, which is the node's answers.
                "-Xlog:disable", "-Xlog:all=warning:stderr",
                "-Dlogback.configurationFile=route-node-logback.xml"));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "io.shoal.bench.BenchMain", "route-node",
                "--index", String.valueOf(index), "--nodes", String.valueOf(nodes), "--dir", dir.toString()));
        if (fastGossip) {
            command.add("--fast-gossip");
        }
        for (String setting : akkaSettings) {
            command.add("--akka");
            command.add(setting);
        }
        Path log = dir.resolve("node-" + index + ".log");
        Process process = new ProcessBuilder(command)
                .redirectError(log.toFile())
                .start();
        return new RouteNodeProcess(index, process, log);
    }

    int index() {
        return index;
    }

    Path log() {
        return log;
    }

    void send(String command) {
        commands.println(command);
    }

    /**
     * The next answer, which must start with one of {@code kinds}; its words. Progress reports are
     * printed as they pass.
     */
    String[] expect(Duration timeout, String... kinds) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("node " + index + " gave no " + String.join("/", kinds)
                        + " within " + timeout + (process.isAlive() ? "" : " (it exited, see " + log + ")"));
            }
            String[] words = line.split(" ");
            if (words[0].equals("progress")) {
                System.err.printf("node %d: %,d entries%n", index, Long.parseLong(words[2]));
                continue;
            }
            for (String kind : kinds) {
                if (words[0].equals(kind)) {
                    return words;
                }
            }
            throw new IllegalStateException("node " + index + " answered '" + line + "', expected " + String.join("/", kinds));
        }
    }

    private void readAnswers() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(ANSWER)) {
                    answers.add(line.substring(ANSWER.length()));
                } else {
                    System.err.println("node " + index + ": " + line);
                }
            }
        } catch (IOException e) {
            // The process ended; expect() reports it.
        }
    }

    /** Asks the node to stop, and ends its process if it does not within 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            send("stop");
            commands.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
