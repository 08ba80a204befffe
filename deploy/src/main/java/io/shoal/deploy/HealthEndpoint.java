package io.shoal.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * GET /health/alive and GET /health/ready over plain HTTP, for orchestrators and load balancers.
 * Alive while the process runs; ready while {@code ready} says the node can serve clients.
 * GET /health/cluster answers {@code members} (JSON), this node's view of the cluster.
 */
final class HealthEndpoint implements AutoCloseable {

    private final HttpServer server;

    private HealthEndpoint(HttpServer server) {
        this.server = server;
    }

    static HealthEndpoint start(String host, int port, BooleanSupplier ready, Supplier<String> members)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/health/alive", exchange -> answer(exchange, true));
        server.createContext("/health/ready", exchange -> answer(exchange, ready.getAsBoolean()));
        server.createContext("/health/cluster", exchange -> send(exchange, 200, "application/json", members.get()));
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "shoal-health");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return new HealthEndpoint(server);
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private static void answer(HttpExchange exchange, boolean healthy) throws IOException {
        send(exchange, healthy ? 200 : 503, "text/plain", healthy ? "ok\n" : "not ready\n");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
