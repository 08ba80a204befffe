package io.shoal.node;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.shoal.node.auth.Authenticator;
import io.shoal.node.delivery.MessageRouter;
import io.shoal.node.delivery.RetainedMessages;
import io.shoal.node.delivery.SessionRoute;
import io.shoal.node.delivery.SessionRoutes;
import io.shoal.node.listener.Listener;
import io.shoal.node.listener.TcpListener;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.protocol.KeepAliveMonitor;
import io.shoal.node.protocol.MqttServices;
import io.shoal.node.protocol.MqttSettings;
import io.shoal.node.session.Publisher;
import io.shoal.node.session.SessionDirectory;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node's MQTT edge: event loops, the subscription index, the retained messages, the publish
 * path and the listeners. Knows nothing of the cluster or of storage: the session directory and
 * the authenticator are handed in.
 */
public final class MqttEdge implements AutoCloseable {

    /** How often quiet connections are looked for; keep-alive is enforced to within this. */
    private static final long KEEP_ALIVE_SWEEP_MILLIS = 250;

    private final MqttSettings settings;
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final SessionRoutes routes;
    private final RetainedMessages retained = new RetainedMessages(metrics);
    private final MessageRouter router;
    private final EventLoopGroup acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("mqtt-accept"));
    private final EventLoopGroup workers;
    private final KeepAliveMonitor keepAlive;
    private final List<Listener> listeners = new ArrayList<>();

    /** @param ioThreads event loop threads for connections; 0 for two per core */
    public MqttEdge(MqttSettings settings, int ioThreads) {
        this.settings = settings;
        SubscriptionIndex<SessionRoute, Integer> index = new SubscriptionIndex<>();
        this.routes = new SessionRoutes(index);
        this.router = new MessageRouter(index, retained);
        this.workers = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("mqtt-io"));
        this.keepAlive = new KeepAliveMonitor(acceptor, KEEP_ALIVE_SWEEP_MILLIS);
    }

    public Publisher publisher() {
        return router;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    public RetainedMessages retained() {
        return retained;
    }

    public SessionRoutes routes() {
        return routes;
    }

    /** Opens a plain TCP listener. */
    public synchronized Listener listenTcp(String host, int port, SessionDirectory directory,
                                           Authenticator authenticator) throws InterruptedException {
        MqttServices services = new MqttServices(settings, directory, routes, router, retained, authenticator,
                metrics, keepAlive);
        Listener listener = TcpListener.bind(host, port, acceptor, workers, services);
        listeners.add(listener);
        return listener;
    }

    /** Stops accepting connections. */
    public synchronized void stopListening() {
        listeners.forEach(Listener::close);
        listeners.clear();
    }

    /** Closes listeners and every connection, and stops the event loops. */
    @Override
    public void close() {
        stopListening();
        keepAlive.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
