package io.shoal.bench.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Opens load clients over a shared set of event loops, to one broker or, for a cluster, to several
 * nodes. Against a loopback broker, connections are spread over several source addresses
 * (127.0.0.1, .2, ...): one source address gives at most ~28,000 ephemeral ports, too few for the
 * connection scenarios.
 */
public final class ClientFleet implements AutoCloseable {

    private static final int MAX_PACKET = 268_435_460;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final InetSocketAddress broker;
    private final List<InetAddress> sourceAddresses;
    private final AtomicInteger connections = new AtomicInteger();

    /**
     * @param threads          event loop threads; 0 for Netty's default (two per core)
     * @param sourceAddresses  how many loopback source addresses to spread over (1 for the OS default)
     */
    public ClientFleet(String host, int port, int threads, int sourceAddresses) {
        this.broker = new InetSocketAddress(host, port);
        this.group = new NioEventLoopGroup(threads, new DefaultThreadFactory("bench-client"));
        this.sourceAddresses = loopbackSources(broker, sourceAddresses);
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
    }

    public InetSocketAddress broker() {
        return broker;
    }

    /** Opens a connection and sends CONNECT; the client's {@link LoadClient#connected()} tells the outcome. */
    public LoadClient connect(String clientId, boolean cleanSession, ClientOptions options) {
        return connect(clientId, cleanSession, options, (client, topic, payload, qos) -> { });
    }

    /**
     * The same, with the handler of received messages in place before the connection opens: a
     * resumed session's queued messages can follow its CONNACK at once.
     */
    public LoadClient connect(String clientId, boolean cleanSession, ClientOptions options,
                              LoadClient.MessageHandler messages) {
        return connect(broker, clientId, cleanSession, options, messages);
    }

    /** The same, to another broker than the fleet's own: another node of a cluster. */
    public LoadClient connect(InetSocketAddress broker, String clientId, boolean cleanSession, ClientOptions options,
                              LoadClient.MessageHandler messages) {
        LoadClient client = new LoadClient(clientId, cleanSession, options);
        client.onMessage(messages);
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new MqttDecoder(MAX_PACKET), MqttEncoder.INSTANCE, client);
            }
        });
        int n = connections.getAndIncrement();
        var future = sourceAddresses.isEmpty() || !broker.getAddress().isLoopbackAddress()
                ? b.connect(broker)
                : b.connect(broker, new InetSocketAddress(sourceAddresses.get(n % sourceAddresses.size()), 0));
        future.addListener(f -> {
            if (!f.isSuccess()) {
                client.connected().completeExceptionally(f.cause());
                client.closed().complete(null);
            }
        });
        return client;
    }

    /**
     * Connects {@code count} clients, at most {@code perSecond} new connections a second (0: no cap);
     * {@code latencyMicros} gets the time from each connect to its CONNACK.
     */
    public List<CompletableFuture<LoadClient>> connectAll(int count, double perSecond, String idPrefix,
                                                          ClientOptions options, LongConsumer latencyMicros)
            throws InterruptedException {
        List<CompletableFuture<LoadClient>> clients = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (perSecond > 0) {
                long due = start + (long) (i * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the offered connect rate, not synchronisation
                }
            }
            long begun = System.nanoTime();
            clients.add(connect(idPrefix + i, true, options).connected()
                    .whenComplete((c, failure) -> latencyMicros.accept((System.nanoTime() - begun) / 1000)));
        }
        return clients;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static List<InetAddress> loopbackSources(InetSocketAddress broker, int count) {
        if (count <= 1 || !broker.getAddress().isLoopbackAddress()) {
            return List.of();
        }
        List<InetAddress> sources = new ArrayList<>(count);
        try {
            for (int i = 1; i <= Math.min(count, 254); i++) {
                sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return sources;
    }
}
