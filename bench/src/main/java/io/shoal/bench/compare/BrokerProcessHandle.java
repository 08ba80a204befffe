package io.shoal.bench.compare;

import io.shoal.bench.probe.BrokerProcess;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A broker started for a comparison: its own process, its own loopback port, its log in the work directory. */
final class BrokerProcessHandle implements AutoCloseable {

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private BrokerProcessHandle(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} and waits until it accepts TCP connections on {@code port}. */
    static BrokerProcessHandle start(String name, int port, List<String> command, Map<String, String> env, Path workDir)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        BrokerProcessHandle handle = new BrokerProcessHandle(name, port, process, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!handle.accepting()) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                handle.close();
                throw new IOException(name + " did not open port " + port + " in time; see " + log);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return handle;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    BrokerProcess process() {
        return new BrokerProcess(process.pid());
    }

    private boolean accepting() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL if it has not stopped after 30 seconds. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
