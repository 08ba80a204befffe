package io.shoal.node.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import io.shoal.node.auth.AuthResult;
import io.shoal.node.auth.Credentials;
import io.shoal.node.codec.UnknownProtocol;
import io.shoal.node.delivery.SessionRoute;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.AttachedSession;
import io.shoal.node.session.ConnectionControl;
import io.shoal.node.session.DisconnectReason;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.SessionState;
import io.shoal.node.session.Subscriber;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.Topics;
import org.jctools.queues.MpscChunkedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The MQTT 3.1 / 3.1.1 protocol of one network connection, from CONNECT to close. Runs on the
 * channel's event loop; only {@link Inbox#enqueue}, {@link #close} and {@link #expire} are called
 * from other threads, and they hand their work to the event loop.
 *
 * <p>Messages for the client arrive through its {@link SessionRoute} into the {@link Inbox} and are
 * moved in batches into the {@link OutboundQueue}, which applies the inflight window; writes are
 * flushed once per batch.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter
        implements ConnectionControl, KeepAliveMonitor.Watched {

    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private enum Phase { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSED }

    private static final int MQTT_5 = 5;

    private final MqttServices services;
    private final Inbox inbox = new Inbox();
    private Channel channel;
    private Phase phase = Phase.AWAIT_CONNECT;
    private volatile long deadlineNanos;
    private long keepAliveLimitNanos;
    private String clientId;
    private int protocolLevel;
    private boolean cleanSession;
    private Publication will;
    private DisconnectReason closeReason = DisconnectReason.CONNECTION_LOST;
    private SessionRoute route;
    private AttachedSession session;
    private OutboundQueue outbound;
    private Set<Integer> awaitingRelease = Set.of();
    private List<MqttMessage> pipelined;

    public MqttConnection(MqttServices services) {
        this.services = services;
    }

    // ---- channel lifecycle -------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        services.metrics().increment(Counter.CONNECTIONS_OPENED);
        deadlineNanos = System.nanoTime() + services.settings().connectTimeout().toNanos();
        services.keepAlive().watch(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        services.keepAlive().unwatch(this);
        services.metrics().increment(Counter.CONNECTIONS_CLOSED);
        releasePipelined();
        if (phase == Phase.CONNECTED) {
            detach();
        } else if (phase == Phase.AWAIT_CONNECT) {
            phase = Phase.CLOSED;
        }
        // CONNECTING: detached when the session directory answers (see onAttached).
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof UnknownProtocol unknown) {
            protocolError("CONNECT for unknown protocol '" + unknown.protocolName() + "' [MQTT-3.1.2-1]");
            return;
        }
        MqttMessage message = (MqttMessage) msg;
        boolean keep = false;
        try {
            if (message.decoderResult().isFailure()) {
                onDecodeFailure(message.decoderResult().cause());
                return;
            }
            switch (phase) {
                case AWAIT_CONNECT -> onFirstPacket(message);
                case CONNECTING -> {
                    // Clients may send packets right after CONNECT; they wait for the session.
                    if (pipelined == null) {
                        pipelined = new ArrayList<>(4);
                    }
                    pipelined.add(message);
                    keep = true;
                }
                case CONNECTED -> {
                    touch();
                    onPacket(message);
                }
                case CLOSED -> {
                }
            }
        } finally {
            if (!keep) {
                ReferenceCountUtil.release(message);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump();
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("Connection of client {} from {} failed: {}", clientId, channel.remoteAddress(), cause.toString());
        } else {
            log.warn("Closing connection of client {} from {} after an internal error", clientId,
                    channel.remoteAddress(), cause);
        }
        ctx.close();
    }

    // ---- called from other threads --------------------------------------------------------------

    /** The session directory ends this connection (takeover, shutdown). */
    @Override
    public void close(DisconnectReason reason) {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                if (reason == DisconnectReason.SESSION_TAKEN_OVER) {
                    services.metrics().increment(Counter.SESSIONS_TAKEN_OVER);
                    log.info("Client {} connected again; closing its connection from {}", clientId,
                            channel.remoteAddress());
                }
                closeReason = reason;
                channel.close();
            }
        });
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public void expire() {
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                return;
            }
            if (System.nanoTime() - deadlineNanos <= 0) {
                services.keepAlive().watch(this); // a packet arrived while the sweep looked
                return;
            }
            if (phase == Phase.CONNECTED) {
                services.metrics().increment(Counter.KEEP_ALIVE_TIMEOUTS);
                log.info("Client {} from {} silent for 1.5 x its keep-alive; closing", clientId,
                        channel.remoteAddress());
                closeReason = DisconnectReason.KEEP_ALIVE_TIMEOUT;
            } else {
                services.metrics().increment(Counter.CONNECT_TIMEOUTS);
                log.info("Connection from {} sent no CONNECT in time; closing", channel.remoteAddress());
            }
            channel.close();
        });
    }

    // ---- CONNECT ---------------------------------------------------------------------------------

    private void onFirstPacket(MqttMessage message) {
        if (message instanceof MqttConnectMessage connect) {
            onConnect(connect);
        } else {
            protocolError(message.fixedHeader().messageType() + " before CONNECT [MQTT-3.1.0-1]");
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        ConnectCheck check = ConnectCheck.of(connect);
        if (check instanceof ConnectCheck.Violation violation) {
            protocolError(violation.reason());
            return;
        }
        if (check instanceof ConnectCheck.Refuse refuse) {
            refuse(refuse.code(), refuse.reason());
            return;
        }
        clientId = ((ConnectCheck.Accept) check).clientId();
        protocolLevel = connect.variableHeader().version();
        cleanSession = connect.variableHeader().isCleanSession();
        keepAliveLimitNanos = TimeUnit.SECONDS.toNanos(connect.variableHeader().keepAliveTimeSeconds()) * 3 / 2;
        if (connect.variableHeader().isWillFlag()) {
            will = new Publication(connect.payload().willTopic(), connect.payload().willMessageInBytes(),
                    connect.variableHeader().willQos(), connect.variableHeader().isWillRetain());
        }
        phase = Phase.CONNECTING;
        updateAutoRead();
        Credentials credentials = new Credentials(clientId, connect.payload().userName(),
                connect.payload().passwordInBytes(), channel.remoteAddress());
        services.authenticator().authenticate(credentials)
                .whenCompleteAsync(this::onAuthenticated, channel.eventLoop());
    }

    private void onAuthenticated(AuthResult result, Throwable failure) {
        if (!channel.isActive()) {
            phase = Phase.CLOSED;
            return;
        }
        if (failure != null) {
            log.error("Authentication of client {} failed", clientId, failure);
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "authenticator failed");
            return;
        }
        switch (result) {
            case BAD_USERNAME_OR_PASSWORD -> refuse(
                    MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
            case NOT_AUTHORIZED -> refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "not authorized");
            case ACCEPTED -> {
                // Claim the route before asking for the session: messages published from now on
                // wait in the inbox, all earlier ones reach the session first (see SessionRoute).
                route = services.routes().claim(clientId, this, inbox, cleanSession);
                services.directory().connect(clientId, cleanSession, this)
                        .whenCompleteAsync(this::onAttached, channel.eventLoop());
            }
        }
    }

    private void onAttached(AttachedSession attached, Throwable failure) {
        if (failure != null) {
            log.error("Session of client {} could not be opened", clientId, failure);
            services.routes().release(route, this, null);
            phase = Phase.CLOSED;
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "session unavailable");
            return;
        }
        session = attached;
        SessionState state = attached.state();
        outbound = new OutboundQueue(services.settings().maxInflight(), services.settings().maxQueued());
        outbound.restore(state.pending());
        if (!state.awaitingRelease().isEmpty()) {
            awaitingRelease = new HashSet<>(state.awaitingRelease());
        }
        for (Subscription s : state.subscriptions()) {
            route.subscribe(this, s.filter(), s.qos());
        }
        if (!channel.isActive()) {
            detach();
            return;
        }
        phase = Phase.CONNECTED;
        if (keepAliveLimitNanos == 0) {
            services.keepAlive().unwatch(this);
        } else {
            touch();
        }
        channel.write(Packets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, attached.sessionPresent()));
        // Unacknowledged messages go out again first, with their packet ids [MQTT-4.4.0-1].
        for (PendingDelivery d : outbound.inFlight()) {
            send(d.released() ? Packets.pubRel(d.packetId()) : Packets.publish(d, true));
        }
        updateAutoRead();
        List<MqttMessage> early = pipelined;
        pipelined = null;
        if (early != null) {
            for (MqttMessage message : early) {
                try {
                    if (phase == Phase.CONNECTED) {
                        onPacket(message);
                    }
                } finally {
                    ReferenceCountUtil.release(message);
                }
            }
        }
        drainInbox();
        channel.flush();
    }

    private void refuse(MqttConnectReturnCode code, String reason) {
        services.metrics().increment(Counter.CONNECT_REJECTED);
        log.info("Refusing CONNECT of client {} from {}: {}", clientId, channel.remoteAddress(), reason);
        phase = Phase.CLOSED;
        channel.writeAndFlush(Packets.connAck(code, false)).addListener(f -> channel.close());
    }

    // ---- after CONNECT ---------------------------------------------------------------------------

    private void onPacket(MqttMessage message) {
        switch (message.fixedHeader().messageType()) {
            case PUBLISH -> onPublish((MqttPublishMessage) message);
            case PUBACK -> {
                if (outbound.acknowledge(packetId(message))) {
                    pump();
                }
            }
            case PUBREC -> {
                outbound.received(packetId(message));
                send(Packets.pubRel(packetId(message)));
            }
            case PUBCOMP -> {
                if (outbound.complete(packetId(message))) {
                    pump();
                }
            }
            case PUBREL -> {
                if (!awaitingRelease.isEmpty()) {
                    awaitingRelease.remove(packetId(message));
                }
                send(Packets.pubComp(packetId(message)));
            }
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) message);
            case PINGREQ -> send(Packets.PINGRESP);
            case DISCONNECT -> {
                closeReason = DisconnectReason.CLIENT_DISCONNECT;
                channel.close();
            }
            case CONNECT -> protocolError("second CONNECT [MQTT-3.1.0-2]");
            default -> protocolError("unexpected " + message.fixedHeader().messageType() + " from a client");
        }
    }

    private void onPublish(MqttPublishMessage message) {
        String topic = message.variableHeader().topicName();
        if (!Topics.isValidTopicName(topic)) {
            protocolError("invalid topic name in PUBLISH [MQTT-4.7.3-1]");
            return;
        }
        services.metrics().increment(Counter.PUBLISHES_RECEIVED);
        int qos = message.fixedHeader().qosLevel().value();
        Publication publication = new Publication(topic, ByteBufUtil.getBytes(message.payload()), qos,
                message.fixedHeader().isRetain());
        int packetId = message.variableHeader().packetId();
        switch (qos) {
            case 0 -> services.publisher().publish(publication);
            case 1 -> {
                services.publisher().publish(publication);
                send(Packets.pubAck(packetId));
            }
            default -> {
                // Exactly once: a re-sent PUBLISH whose PUBREL has not come yet is not forwarded again.
                if (awaitingRelease.isEmpty()) {
                    awaitingRelease = new HashSet<>(4);
                }
                if (awaitingRelease.add(packetId)) {
                    services.publisher().publish(publication);
                }
                send(Packets.pubRec(packetId));
            }
        }
    }

    private void onSubscribe(MqttSubscribeMessage message) {
        List<MqttTopicSubscription> requested = message.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            protocolError("SUBSCRIBE without topic filters [MQTT-3.8.3-3]");
            return;
        }
        if (protocolLevel < MQTT_5 && requested.stream().anyMatch(r -> usesMqtt5Options(r.option()))) {
            protocolError("reserved bits set in a requested QoS byte [MQTT-3-8.3-4]");
            return;
        }
        List<Integer> returnCodes = new ArrayList<>(requested.size());
        List<Subscription> granted = new ArrayList<>(requested.size());
        for (MqttTopicSubscription request : requested) {
            String filter = request.topicName();
            if (!Topics.isValidFilter(filter)) {
                returnCodes.add(0x80);
                continue;
            }
            int qos = Math.min(request.qualityOfService().value(), services.settings().maxQos());
            route.subscribe(this, filter, qos);
            granted.add(new Subscription(filter, qos));
            returnCodes.add(qos);
        }
        int packetId = message.variableHeader().messageId();
        session.subscribed(granted).whenCompleteAsync((done, failure) -> {
            if (failure != null) {
                log.error("Could not store subscriptions of client {}; closing", clientId, failure);
                channel.close();
                return;
            }
            if (phase != Phase.CONNECTED) {
                return;
            }
            channel.write(Packets.subAck(packetId, returnCodes));
            // Retained messages are sent on every SUBSCRIBE, also a repeated one [MQTT-3.8.4-3].
            for (Subscription s : granted) {
                services.retained().match(s.filter(), retained ->
                        queue(PendingDelivery.queued(retained, retained.deliveryQos(s.qos()), true)));
            }
            pump();
            channel.flush();
        }, channel.eventLoop());
    }

    private void onUnsubscribe(MqttUnsubscribeMessage message) {
        List<String> filters = message.payload().topics();
        if (filters.isEmpty()) {
            protocolError("UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]");
            return;
        }
        filters.forEach(filter -> route.unsubscribe(this, filter));
        int packetId = message.variableHeader().messageId();
        session.unsubscribed(filters).whenCompleteAsync((done, failure) -> {
            if (failure != null) {
                log.error("Could not store unsubscription of client {}; closing", clientId, failure);
                channel.close();
            } else if (phase == Phase.CONNECTED) {
                channel.writeAndFlush(Packets.unsubAck(packetId));
            }
        }, channel.eventLoop());
    }

    // ---- outbound ----------------------------------------------------------------------------------

    private void queue(PendingDelivery delivery) {
        if (!outbound.offer(delivery)) {
            services.metrics().increment(Counter.DROPPED_QUEUE_FULL);
        }
    }

    private void drainInbox() {
        if (phase != Phase.CONNECTED) {
            return; // drained once the session is attached, or handed back at detach
        }
        inbox.drainTo(this::queue);
        pump();
    }

    /** Writes what the window and the channel allow, then flushes. */
    private void pump() {
        if (phase != Phase.CONNECTED) {
            return;
        }
        boolean wrote = false;
        while (channel.isWritable()) {
            PendingDelivery next = outbound.poll();
            if (next == null) {
                break;
            }
            send(Packets.publish(next, false));
            services.metrics().increment(Counter.MESSAGES_SENT);
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    // ---- closing -----------------------------------------------------------------------------------

    private void onDecodeFailure(Throwable cause) {
        if (phase == Phase.AWAIT_CONNECT && cause instanceof MqttUnacceptableProtocolVersionException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, cause.getMessage());
        } else if (phase == Phase.AWAIT_CONNECT && cause instanceof MqttIdentifierRejectedException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, cause.getMessage());
        } else {
            if (cause instanceof TooLongFrameException) {
                services.metrics().increment(Counter.PACKETS_TOO_LARGE);
            }
            protocolError("malformed packet: " + cause.getMessage());
        }
    }

    private void protocolError(String problem) {
        services.metrics().increment(Counter.PROTOCOL_ERRORS);
        log.warn("Closing connection of client {} from {}: {}", clientId == null ? "(before CONNECT)" : clientId,
                channel.remoteAddress(), problem);
        closeReason = DisconnectReason.PROTOCOL_ERROR;
        channel.close();
    }

    /** Hands the session back: what is not acknowledged yet, the will, and why the connection ended. */
    private void detach() {
        phase = Phase.CLOSED;
        Subscriber offline = session.offlineSubscriber();
        services.routes().release(route, this, offline);
        // After the release nothing new reaches the inbox; whatever is in it belongs to the session.
        List<PendingDelivery> pending = List.of();
        if (offline != null) {
            pending = outbound.drain();
            inbox.drainTo(pending::add);
            if (!services.settings().queueQos0Offline()) {
                int before = pending.size();
                pending.removeIf(d -> d.qos() == 0);
                for (int i = pending.size(); i < before; i++) {
                    services.metrics().increment(Counter.DROPPED_QOS0_OFFLINE);
                }
            }
        }
        Publication lastWill = closeReason.publishesWill() ? will : null;
        session.detached(pending, awaitingRelease, lastWill, closeReason);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Writes without a promise: nothing waits for it, and a failed write still closes the channel. */
    private void send(MqttMessage packet) {
        channel.write(packet, channel.voidPromise());
    }

    private void touch() {
        if (keepAliveLimitNanos > 0) {
            deadlineNanos = System.nanoTime() + keepAliveLimitNanos;
        }
    }

    /** Reads stop while the session is being opened and while the client is not reading what we write. */
    private void updateAutoRead() {
        channel.config().setAutoRead(phase != Phase.CONNECTING && channel.isWritable());
    }

    private void releasePipelined() {
        if (pipelined != null) {
            pipelined.forEach(ReferenceCountUtil::release);
            pipelined = null;
        }
    }

    /** Bits 2-5 of a subscription's options byte are reserved before MQTT 5. */
    private static boolean usesMqtt5Options(MqttSubscriptionOption option) {
        return option.isNoLocal() || option.isRetainAsPublished()
                || option.retainHandling() != MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE;
    }

    private static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    /**
     * Messages routed to this client, handed over from publishers' threads: a bounded lock-free
     * queue, created with the first message, and one event-loop task per batch to drain it.
     */
    private final class Inbox implements Subscriber {
        private volatile MpscChunkedArrayQueue<PendingDelivery> messages;
        private volatile int drainScheduled;

        @Override
        public void enqueue(Publication publication, int qos) {
            if (!queue().offer(PendingDelivery.queued(publication, qos, false))) {
                services.metrics().increment(Counter.DROPPED_QUEUE_FULL);
                return;
            }
            if (drainScheduled == 0 && DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
                channel.eventLoop().execute(MqttConnection.this::drainInbox);
            }
        }

        /** Event loop only: hands everything queued so far to {@code sink} and allows the next drain task. */
        void drainTo(java.util.function.Consumer<PendingDelivery> sink) {
            drainScheduled = 0;
            MpscChunkedArrayQueue<PendingDelivery> queued = messages;
            if (queued != null) {
                queued.drain(sink::accept);
            }
        }

        private MpscChunkedArrayQueue<PendingDelivery> queue() {
            MpscChunkedArrayQueue<PendingDelivery> queued = messages;
            if (queued == null) {
                queued = new MpscChunkedArrayQueue<>(16, Math.max(32, services.settings().maxQueued()));
                if (!MESSAGES.compareAndSet(this, null, queued)) {
                    queued = messages;
                }
            }
            return queued;
        }
    }

    private static final AtomicIntegerFieldUpdater<Inbox> DRAIN_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(Inbox.class, "drainScheduled");
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final AtomicReferenceFieldUpdater<Inbox, MpscChunkedArrayQueue> MESSAGES =
            AtomicReferenceFieldUpdater.newUpdater(Inbox.class, MpscChunkedArrayQueue.class, "messages");
}
