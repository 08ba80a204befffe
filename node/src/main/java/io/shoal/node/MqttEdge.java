package io.shoal.node;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.shoal.node.auth.Authenticator;
import io.shoal.node.delivery.MessageRouter;
import io.shoal.node.delivery.RemoteRoutes;
import io.shoal.node.delivery.RetainedMessages;
import io.shoal.node.delivery.RetainedStore;
import io.shoal.node.delivery.SessionRoute;
import io.shoal.node.delivery.SessionRoutes;
import io.shoal.node.delivery.SharedSubscriptions;
import io.shoal.node.listener.Listener;
import io.shoal.node.listener.TcpListener;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.protocol.KeepAliveMonitor;
import io.shoal.node.protocol.MqttConnection;
import io.shoal.node.protocol.MqttServices;
import io.shoal.node.protocol.MqttSettings;
import io.shoal.node.session.Publisher;
import io.shoal.node.session.DisconnectReason;
import io.shoal.node.session.SessionDirectory;
import io.shoal.node.session.Subscription;
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
    /** How long closing waits for clients to be told (DISCONNECT 0x8B) and their connections to close. */
    private static final long CLOSE_CONNECTIONS_SECONDS = 5;

    private final MqttSettings settings;
    private final BrokerMetrics metrics;
    private final SessionRoutes routes;
    private final SharedSubscriptions shared;
    private final RetainedMessages retained;
    private final MessageRouter router;
    private final EventLoopGroup acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("mqtt-accept"));
    private final EventLoopGroup workers;
    private final KeepAliveMonitor keepAlive;
    private final List<Listener> listeners = new ArrayList<>();
    private final ChannelGroup connections = new DefaultChannelGroup("mqtt-connections", GlobalEventExecutor.INSTANCE);

    /**
     * @param ioThreads     event loop threads for connections; 0 for two per core
     * @param metrics       the node's counters
     * @param retainedStore where retained messages are kept beyond this node's memory
     * @param remote        the other nodes of the cluster ({@link RemoteRoutes#NONE} for none)
     */
    public MqttEdge(MqttSettings settings, int ioThreads, BrokerMetrics metrics, RetainedStore retainedStore,
                    RemoteRoutes remote) {
        this.settings = settings;
        this.metrics = metrics;
        this.retained = new RetainedMessages(metrics, retainedStore);
        SubscriptionIndex<SessionRoute, Subscription> index = new SubscriptionIndex<>();
        this.shared = new SharedSubscriptions(settings.shareStrategy(), remote);
        this.routes = new SessionRoutes(index, shared, remote, metrics);
        this.router = new MessageRouter(index, shared, retained, remote);
        this.workers = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("mqtt-io"));
        this.keepAlive = new KeepAliveMonitor(acceptor, KEEP_ALIVE_SWEEP_MILLIS);
    }

    public Publisher publisher() {
        return router;
    }

    /** The publish path, also for messages other nodes forward here. */
    public MessageRouter router() {
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
        MqttServices services = new MqttServices(settings, directory, routes, shared, router, retained, authenticator,
                metrics, keepAlive, connections);
        Listener listener = TcpListener.bind(host, port, acceptor, workers, services);
        listeners.add(listener);
        return listener;
    }

    /** Stops accepting connections. */
    public synchronized void stopListening() {
        listeners.forEach(Listener::close);
        listeners.clear();
    }

    /** The number of open client connections. */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Closes listeners and every connection (MQTT 5 clients are told why: DISCONNECT 0x8B, server
     * shutting down), and stops the event loops.
     */
    @Override
    public void close() {
        stopListening();
        for (Channel channel : connections) {
            MqttConnection connection = channel.pipeline().get(MqttConnection.class);
            if (connection != null) {
                connection.close(DisconnectReason.SERVER_SHUTTING_DOWN);
            } else {
                channel.close();
            }
        }
        connections.newCloseFuture().awaitUninterruptibly(CLOSE_CONNECTIONS_SECONDS, TimeUnit.SECONDS);
        keepAlive.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
