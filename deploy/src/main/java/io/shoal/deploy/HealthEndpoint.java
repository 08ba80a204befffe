package io.shoal.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * GET /health/alive and GET /health/ready over plain HTTP, for orchestrators and load balancers.
 * Alive while the process runs; ready while {@code ready} says the node can serve clients.
 */
final class HealthEndpoint implements AutoCloseable {

    private final HttpServer server;

    private HealthEndpoint(HttpServer server) {
        this.server = server;
    }

    static HealthEndpoint start(String host, int port, BooleanSupplier ready) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/health/alive", exchange -> answer(exchange, true));
        server.createContext("/health/ready", exchange -> answer(exchange, ready.getAsBoolean()));
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
        byte[] body = (healthy ? "ok\n" : "not ready\n").getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(healthy ? 200 : 503, body.length);
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
