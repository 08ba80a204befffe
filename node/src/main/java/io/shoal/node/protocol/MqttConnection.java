package io.shoal.node.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import io.shoal.node.auth.AuthExchange;
import io.shoal.node.auth.AuthResult;
import io.shoal.node.auth.AuthStep;
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
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscriber;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.Will;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT 3.1 / 3.1.1 / 5 protocol of one network connection, from CONNECT to close. Runs on the
 * channel's event loop; only {@link ConnectionInbox#enqueue}, {@link #close} and {@link #expire} are called
 * from other threads, and they hand their work to the event loop.
 *
 * <p>Messages for the client arrive through its {@link SessionRoute} into the {@link ConnectionInbox} and are
 * moved in batches into the {@link OutboundQueue}, which applies the inflight window; writes are
 * flushed once per batch. The client's QoS 1 and 2 PUBLISHes are acknowledged through {@link PublishAcks},
 * once their messages are stored for every offline session they went to.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter
        implements ConnectionControl, KeepAliveMonitor.Watched {

    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private enum Phase { AWAIT_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSED }

    private static final int MQTT_5 = 5;

    private final MqttServices services;
    private final ConnectionInbox inbox;
    private Channel channel;
    private Phase phase = Phase.AWAIT_CONNECT;
    private volatile long deadlineNanos;
    private long keepAliveLimitNanos;
    private PacketFactory packets = PacketFactory.initial(false);
    private int protocolLevel;
    private ConnectRequest request;
    private String clientId; // for logs: null until CONNECT is understood
    private long sessionExpiry; // as granted at CONNECT; an MQTT 5 DISCONNECT may change it
    private AuthExchange authExchange;
    private byte[] authData;
    private DisconnectReason closeReason = DisconnectReason.CONNECTION_LOST;
    private SessionRoute route;
    private AttachedSession session;
    private OutboundQueue outbound;
    private PublishAcks acks;
    private Set<Integer> awaitingRelease = Set.of();
    /**
     * MQTT 3.1.1: a message of the client could not be stored, so the connection closes without its
     * acknowledgement, and the client sends it again, with those behind it, once it has reconnected.
     * The connection stays until every PUBLISH it owes an acknowledgement has settled or timed out
     * (after which its store can no longer begin): closing earlier would let the client's retries
     * race with the first attempts, which could still be stored, and be stored twice or out of order.
     */
    private boolean closingUnstored;
    private List<MqttMessage> pipelined;
    private boolean journalCheckScheduled;
    /** Messages of the session's journal that this connection may have delivered since (they pile up). */
    private int journaledSinceReplaced;

    public MqttConnection(MqttServices services) {
        this.services = services;
        this.inbox = new ConnectionInbox(services.settings().maxQueued(), services.metrics(),
                task -> channel.eventLoop().execute(task), this::drainInbox);
    }

    private boolean v5() {
        return protocolLevel == MQTT_5;
    }

    // ---- channel lifecycle -------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel(); // before channelActive: the node may close() a channel that is just opening
        acks = new PublishAcks(channel.eventLoop(), services.settings().storeTimeout().toNanos(),
                services.settings().receiveMaximum(), services.metrics(), new AckSender());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
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
        } else if (phase == Phase.AWAIT_CONNECT || phase == Phase.AUTHENTICATING) {
            phase = Phase.CLOSED;
        }
        // CONNECTING: detached when the session directory answers (see onAttached).
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof UnknownProtocol unknown) {
            violation(ReasonCode.PROTOCOL_ERROR, "CONNECT for unknown protocol '" + unknown.protocolName() + "' [MQTT-3.1.2-1]");
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
                case AUTHENTICATING -> onAuthPacket(message);
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

    /** The session directory or the node ends this connection (takeover, shutdown). */
    @Override
    public void close(DisconnectReason reason) {
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                return;
            }
            if (reason == DisconnectReason.SESSION_TAKEN_OVER) {
                services.metrics().increment(Counter.SESSIONS_TAKEN_OVER);
                log.info("Client {} connected again; closing its connection from {}", clientId, channel.remoteAddress());
            }
            closeReason = reason;
            disconnect(reason.reasonCode(), null);
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
                log.info("Client {} from {} silent for 1.5 x its keep-alive; closing", clientId, channel.remoteAddress());
                closeReason = DisconnectReason.KEEP_ALIVE_TIMEOUT;
                disconnect(DisconnectReason.KEEP_ALIVE_TIMEOUT.reasonCode(), "keep-alive timeout");
            } else {
                services.metrics().increment(Counter.CONNECT_TIMEOUTS);
                log.info("Connection from {} sent no CONNECT in time; closing", channel.remoteAddress());
                channel.close();
            }
        });
    }

    // ---- CONNECT ---------------------------------------------------------------------------------

    private void onFirstPacket(MqttMessage message) {
        if (message instanceof MqttConnectMessage connect) {
            onConnect(connect);
        } else {
            violation(ReasonCode.PROTOCOL_ERROR, message.fixedHeader().messageType() + " before CONNECT [MQTT-3.1.0-1]");
        }
    }

    private void onConnect(MqttConnectMessage connect) {
        protocolLevel = connect.variableHeader().version();
        packets = PacketFactory.forConnect(connect);
        ConnectCheck check = ConnectCheck.of(connect);
        if (check instanceof ConnectCheck.Violation violation) {
            if (v5()) {
                refuse(Refusal.PROTOCOL_ERROR, violation.reason());
            } else {
                violation(ReasonCode.PROTOCOL_ERROR, violation.reason());
            }
            return;
        }
        if (check instanceof ConnectCheck.Refuse refuse) {
            refuse(refuse.refusal(), refuse.reason());
            return;
        }
        request = ConnectRequest.read(connect, (ConnectCheck.Accept) check, services.settings(), channel.remoteAddress());
        clientId = request.clientId();
        sessionExpiry = request.sessionExpiry();
        packets = packets.withAliases(request.topicAliases(services.settings()));
        keepAliveLimitNanos = request.keepAliveLimitNanos();
        if (request.authMethod() != null) {
            authExchange = services.authenticator().startExchange(request.authMethod(), request.credentials());
            if (authExchange == null) {
                refuse(Refusal.BAD_AUTHENTICATION_METHOD, "authentication method " + request.authMethod() + " not supported");
                return;
            }
            phase = Phase.AUTHENTICATING;
            authExchange.step(request.authData()).whenCompleteAsync(this::onAuthStep, channel.eventLoop());
            return;
        }
        phase = Phase.CONNECTING;
        updateAutoRead();
        services.authenticator().authenticate(request.credentials())
                .whenCompleteAsync(this::onAuthenticated, channel.eventLoop());
    }

    /** An AUTH packet while the enhanced authentication of CONNECT runs. */
    private void onAuthPacket(MqttMessage message) {
        if (message.fixedHeader().messageType() != io.netty.handler.codec.mqtt.MqttMessageType.AUTH) {
            refuse(Refusal.PROTOCOL_ERROR, message.fixedHeader().messageType() + " during authentication");
            return;
        }
        MqttReasonCodeAndPropertiesVariableHeader header = (MqttReasonCodeAndPropertiesVariableHeader) message.variableHeader();
        if (header.reasonCode() != ReasonCode.CONTINUE_AUTHENTICATION
                || !request.authMethod().equals(Properties5.string(header.properties(), MqttPropertyType.AUTHENTICATION_METHOD))) {
            refuse(Refusal.PROTOCOL_ERROR, "AUTH must continue the same method [MQTT-4.12.0-5]");
            return;
        }
        authExchange.step(Properties5.binary(header.properties(), MqttPropertyType.AUTHENTICATION_DATA))
                .whenCompleteAsync(this::onAuthStep, channel.eventLoop());
    }

    private void onAuthStep(AuthStep step, Throwable failure) {
        if (!channel.isActive()) {
            phase = Phase.CLOSED;
            return;
        }
        if (failure != null) {
            log.error("Enhanced authentication of client {} failed", clientId, failure);
            refuse(Refusal.SERVER_UNAVAILABLE, "authenticator failed");
        } else if (step instanceof AuthStep.Continue c) {
            channel.writeAndFlush(packets.auth(ReasonCode.CONTINUE_AUTHENTICATION, request.authMethod(), c.data()));
        } else if (step instanceof AuthStep.Success s) {
            authExchange = null;
            authData = s.data();
            phase = Phase.CONNECTING;
            updateAutoRead();
            onAuthenticated(AuthResult.ACCEPTED, null);
        } else if (step instanceof AuthStep.Failure f) {
            authExchange = null;
            onAuthenticated(f.reason(), null);
        }
    }

    private void onAuthenticated(AuthResult result, Throwable failure) {
        if (!channel.isActive()) {
            phase = Phase.CLOSED;
            return;
        }
        if (failure != null) {
            log.error("Authentication of client {} failed", clientId, failure);
            refuse(Refusal.SERVER_UNAVAILABLE, "authenticator failed");
            return;
        }
        switch (result) {
            case BAD_USERNAME_OR_PASSWORD -> refuse(Refusal.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
            case NOT_AUTHORIZED -> refuse(Refusal.NOT_AUTHORIZED, "not authorized");
            case ACCEPTED -> {
                if (sessionExpiry > 0 && !services.settings().journalUnacknowledgedAfter().isZero()) {
                    inbox.track(); // the session outlives the connection: what it is sent must be safe
                }
                // Claim the route before asking for the session: messages published from now on
                // wait in the inbox, all earlier ones reach the session first (see SessionRoute).
                route = services.routes().claim(clientId, this, inbox, request.cleanStart());
                services.directory().connect(clientId, request.cleanStart(), sessionExpiry, request.will(), this)
                        .whenCompleteAsync(this::onAttached, channel.eventLoop());
            }
        }
    }

    private void onAttached(AttachedSession attached, Throwable failure) {
        if (failure != null) {
            log.error("Session of client {} could not be opened", clientId, failure);
            services.routes().unclaim(route, this, this::handBack);
            refuse(Refusal.SERVER_UNAVAILABLE, "session unavailable");
            return;
        }
        session = attached;
        SessionState state = attached.state();
        int window = Math.min(services.settings().maxInflight(), request.clientReceiveMaximum());
        outbound = new OutboundQueue(window, services.settings().maxQueued());
        outbound.restore(state.pending());
        journaledSinceReplaced = state.pending().size();
        if (!state.awaitingRelease().isEmpty()) {
            awaitingRelease = new HashSet<>(state.awaitingRelease());
        }
        if (!attached.sessionPresent()) {
            // A new session: what this node routed for an earlier one (expired meanwhile, or taken
            // over by a sweep while this CONNECT waited) is not its.
            route.clearSubscriptions(this);
        }
        if (!attached.handoverWindow().isZero()) {
            route.expectHandover(attached.handoverWindow()); // before any message can arrive directly
        }
        for (Subscription s : state.subscriptions()) {
            route.subscribe(this, s);
        }
        route.claimed(this);
        attached.routed();
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
        channel.write(PacketFactory.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, attached.sessionPresent(),
                v5() ? request.connAckProperties(services.settings(), authData) : MqttProperties.NO_PROPERTIES));
        pump(); // unacknowledged messages go out again first, with their packet ids [MQTT-4.4.0-1]
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

    /**
     * The CONNECT failed: what reached the inbox meanwhile goes to what holds the route again. Should
     * nothing hold it, a publisher waiting for such a message is told it is not safe, and sends it again.
     */
    private void handBack(Subscriber previous) {
        inbox.drainTo((delivery, receipt) -> {
            if (receipt != null && receipt.givenUp()) {
                receipt.failed(); // its publisher sends it again: storing it now would make a duplicate
                return;
            }
            if (previous == null) {
                if (receipt != null) {
                    receipt.failed();
                }
                return;
            }
            previous.enqueue(delivery, receipt);
            if (receipt != null) {
                receipt.stored(); // the inbox's part; what previous expects is its own
            }
        });
    }

    private void refuse(Refusal refusal, String reason) {
        services.metrics().increment(Counter.CONNECT_REJECTED);
        log.info("Refusing CONNECT of client {} from {}: {}", clientId, channel.remoteAddress(), reason);
        phase = Phase.CLOSED;
        MqttConnectReturnCode code = refusal.code(v5());
        if (code == null) {
            channel.close();
            return;
        }
        channel.writeAndFlush(packets.connAckRefusal(code, reason)).addListener(ChannelFutureListener.CLOSE);
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
            case PUBREC -> onPubRec(message);
            case PUBCOMP -> {
                if (outbound.complete(packetId(message))) {
                    pump();
                }
            }
            case PUBREL -> {
                boolean known = !awaitingRelease.isEmpty() && awaitingRelease.remove(packetId(message));
                send(packets.pubComp(packetId(message), known ? 0 : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND));
            }
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) message);
            case PINGREQ -> send(PacketFactory.PINGRESP);
            case DISCONNECT -> onDisconnect(message);
            case AUTH -> onReauthentication(message);
            case CONNECT -> violation(ReasonCode.PROTOCOL_ERROR, "second CONNECT [MQTT-3.1.0-2]");
            default -> violation(ReasonCode.PROTOCOL_ERROR, "unexpected " + message.fixedHeader().messageType() + " from a client");
        }
    }

    private void onPublish(MqttPublishMessage message) {
        if (closingUnstored) {
            return; // not acknowledged: the client sends it again once it has reconnected
        }
        int qos = message.fixedHeader().qosLevel().value();
        int packetId = message.variableHeader().packetId();
        PublishCheck check = PublishCheck.of(message, v5(), packets.aliases(), services.settings().maxQos(), clientId,
                System.currentTimeMillis());
        if (check instanceof PublishCheck.Violation v) {
            violation(v.reasonCode(), v.reason());
            return;
        }
        if (check instanceof PublishCheck.Refuse r) {
            rejectPublish(qos, packetId, r.reasonCode(), r.reason());
            return;
        }
        if (v5() && qos == 2 && !awaitingRelease.contains(packetId)
                && awaitingRelease.size() >= services.settings().receiveMaximum()) {
            violation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more unreleased QoS 2 messages than the Receive Maximum (MQTT 5 3.2.2.3.3)");
            return;
        }
        services.metrics().increment(Counter.PUBLISHES_RECEIVED);
        Publication publication = ((PublishCheck.Accept) check).publication();
        if (qos == 0) {
            services.publisher().publish(publication);
            return;
        }
        if (qos == 2) {
            // Exactly once: a re-sent PUBLISH whose PUBREL has not come yet is not forwarded again; if
            // its PUBREC is still held back, that one answers it.
            if (awaitingRelease.isEmpty()) {
                awaitingRelease = new HashSet<>(4);
            }
            if (!awaitingRelease.add(packetId)) {
                if (!acks.owes(packetId)) {
                    acks.owe(packetId, qos, ReasonCode.SUCCESS, null, null);
                }
                return;
            }
        }
        StorageReceipt receipt = acks.receipt();
        int delivered = services.publisher().publish(publication, receipt);
        acks.owe(packetId, qos, delivered == 0 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS, null,
                receipt);
        if (acks.full()) {
            updateAutoRead();
        }
    }

    /** Sends the acknowledgements {@link PublishAcks} releases, in order. */
    private final class AckSender implements PublishAcks.Sender {
        @Override
        public void acknowledge(int packetId, int qos, int reasonCode, String why) {
            if (closingUnstored) {
                // Stored, behind one that was not: its acknowledgement may not overtake the missing one
                // [MQTT-4.6.0-2, MQTT-4.6.0-3], so the client sends it again. A QoS 2 message stays
                // received (awaitingRelease): its retry is answered without being forwarded twice.
                closeOnceSettled();
                return;
            }
            send(qos == 1 ? packets.pubAck(packetId, reasonCode, why) : packets.pubRec(packetId, reasonCode, why));
        }

        /**
         * MQTT 5: a refusal, which ends a QoS 2 flow [MQTT-4.3.3-4]. MQTT 3.1.1 has none: the connection
         * closes without the acknowledgement, so the client sends the message again when it reconnects;
         * it closes once the PUBLISHes behind this one have settled too (see
         * {@link MqttConnection#closingUnstored}).
         */
        @Override
        public void notStored(int packetId, int qos) {
            forgetRelease(packetId);
            if (v5()) {
                String why = "message not stored";
                send(qos == 1 ? packets.pubAck(packetId, ReasonCode.UNSPECIFIED_ERROR, why)
                        : packets.pubRec(packetId, ReasonCode.UNSPECIFIED_ERROR, why));
                return;
            }
            if (!closingUnstored) {
                closingUnstored = true;
                log.warn("Closing connection of client {} from {}: a message it published could not be stored",
                        clientId, channel.remoteAddress());
            }
            closeOnceSettled();
        }

        private void closeOnceSettled() {
            if (!acks.owing()) {
                channel.close();
            }
        }

        @Override
        public void released() {
            channel.flush();
            updateAutoRead();
        }
    }

    /** A QoS 2 PUBLISH whose flow ended without PUBREC: the client may reuse, or re-send with, its id. */
    private void forgetRelease(int packetId) {
        if (!awaitingRelease.isEmpty()) {
            awaitingRelease.remove(packetId);
        }
    }

    /**
     * An MQTT 5 PUBLISH the broker will not accept: refused in its acknowledgement, in turn with the
     * others, or the connection closed (QoS 0).
     */
    private void rejectPublish(int qos, int packetId, int reason, String why) {
        if (qos == 0) {
            violation(reason, why);
        } else {
            acks.owe(packetId, qos, reason, why, null);
        }
    }

    private void onPubRec(MqttMessage message) {
        int packetId = packetId(message);
        if (reasonCode(message) >= 0x80) {
            // The client refused the message: the flow ends here, without PUBREL [MQTT-4.3.3-4].
            if (outbound.discard(packetId)) {
                pump();
            }
            return;
        }
        boolean known = outbound.received(packetId);
        send(packets.pubRel(packetId, known ? 0 : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND));
    }

    private void onSubscribe(MqttSubscribeMessage message) {
        SubscribeCheck check = SubscribeCheck.of(message, v5(), services.settings().maxQos());
        if (check instanceof SubscribeCheck.Violation v) {
            violation(v.reasonCode(), v.reason());
            return;
        }
        List<SubscribeCheck.Entry> entries = ((SubscribeCheck.Accept) check).entries();
        List<Integer> reasonCodes = new ArrayList<>(entries.size());
        List<Subscription> granted = new ArrayList<>(entries.size());
        List<Subscription> sendRetained = new ArrayList<>();
        for (SubscribeCheck.Entry entry : entries) {
            Subscription subscription = entry.subscription();
            reasonCodes.add(entry.refusal());
            if (subscription == null) {
                continue;
            }
            Subscription previous = route.subscribe(this, subscription);
            granted.add(subscription);
            int handling = subscription.retainHandling();
            if (!subscription.shared() && (handling == 0 || handling == 1 && previous == null)) {
                sendRetained.add(subscription); // only for non-shared subscriptions (MQTT 5 3.3.1.3)
            }
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
            channel.write(packets.subAck(packetId, reasonCodes));
            // Retained messages are sent on every SUBSCRIBE, also a repeated one [MQTT-3.8.4-3],
            // unless an MQTT 5 subscription's Retain Handling says otherwise.
            long now = System.currentTimeMillis();
            for (Subscription s : sendRetained) {
                services.retained().match(s.filter(), retained -> {
                    if (!retained.expired(now)) {
                        queue(PendingDelivery.queued(retained, retained.deliveryQos(s.qos()), true,
                                s.identifier() > 0 ? List.of(s.identifier()) : List.of(), null));
                    }
                });
            }
            pump();
            channel.flush();
        }, channel.eventLoop());
    }

    private void onUnsubscribe(MqttUnsubscribeMessage message) {
        List<String> filters = message.payload().topics();
        if (filters.isEmpty()) {
            violation(ReasonCode.PROTOCOL_ERROR, "UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]");
            return;
        }
        List<Short> reasonCodes = new ArrayList<>(filters.size());
        for (String filter : filters) {
            reasonCodes.add(route.unsubscribe(this, filter) ? 0 : (short) ReasonCode.NO_SUBSCRIPTION_EXISTED);
        }
        int packetId = message.variableHeader().messageId();
        session.unsubscribed(filters).whenCompleteAsync((done, failure) -> {
            if (failure != null) {
                log.error("Could not store unsubscription of client {}; closing", clientId, failure);
                channel.close();
            } else if (phase == Phase.CONNECTED) {
                channel.writeAndFlush(packets.unsubAck(packetId, reasonCodes));
            }
        }, channel.eventLoop());
    }

    private void onDisconnect(MqttMessage message) {
        closeReason = DisconnectReason.CLIENT_DISCONNECT;
        if (v5() && message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header) {
            if (header.reasonCode() == ReasonCode.DISCONNECT_WITH_WILL_MESSAGE) {
                closeReason = DisconnectReason.CLIENT_DISCONNECT_WITH_WILL;
            }
            Integer expiry = Properties5.integer(header.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL);
            if (expiry != null) {
                if (request.requestedExpiry() == 0 && expiry != 0) {
                    closeReason = DisconnectReason.PROTOCOL_ERROR;
                    violation(ReasonCode.PROTOCOL_ERROR, "Session Expiry Interval set at DISCONNECT after 0 at CONNECT (MQTT 5 3.14.2.2.2)");
                    return;
                }
                sessionExpiry = Math.min(expiry & 0xFFFFFFFFL, services.settings().maxSessionExpiry());
            }
        }
        channel.close();
    }

    /** MQTT 5 re-authentication (AUTH 0x19) after CONNECT. */
    private void onReauthentication(MqttMessage message) {
        MqttReasonCodeAndPropertiesVariableHeader header = (MqttReasonCodeAndPropertiesVariableHeader) message.variableHeader();
        String method = Properties5.string(header.properties(), MqttPropertyType.AUTHENTICATION_METHOD);
        if (request.authMethod() == null || !request.authMethod().equals(method)) {
            violation(ReasonCode.PROTOCOL_ERROR, "AUTH with a method other than CONNECT's [MQTT-4.12.1-1]");
            return;
        }
        // 0x19 starts a re-authentication, 0x18 continues the one under way; anything else is an error.
        int reason = header.reasonCode() & 0xFF;
        boolean start = reason == ReasonCode.RE_AUTHENTICATE && authExchange == null;
        boolean proceed = reason == ReasonCode.CONTINUE_AUTHENTICATION && authExchange != null;
        if (!start && !proceed) {
            violation(ReasonCode.PROTOCOL_ERROR, "AUTH 0x" + Integer.toHexString(reason)
                    + (authExchange == null ? " without a re-authentication under way" : " during a re-authentication"));
            return;
        }
        if (start) {
            authExchange = services.authenticator().startExchange(method,
                    new Credentials(clientId, null, null, channel.remoteAddress()));
            if (authExchange == null) {
                violation(ReasonCode.NOT_AUTHORIZED, "re-authentication with " + method + " not available");
                return;
            }
        }
        authExchange.step(Properties5.binary(header.properties(), MqttPropertyType.AUTHENTICATION_DATA))
                .whenCompleteAsync(this::onReauthenticationStep, channel.eventLoop());
    }

    private void onReauthenticationStep(AuthStep step, Throwable failure) {
        if (phase != Phase.CONNECTED) {
            return;
        }
        if (step instanceof AuthStep.Continue c) {
            channel.writeAndFlush(packets.auth(ReasonCode.CONTINUE_AUTHENTICATION, request.authMethod(), c.data()));
            return;
        }
        authExchange = null;
        if (step instanceof AuthStep.Success s) {
            channel.writeAndFlush(packets.auth(ReasonCode.SUCCESS, request.authMethod(), s.data()));
        } else {
            if (failure != null) {
                log.error("Re-authentication of client {} failed", clientId, failure);
            }
            violation(ReasonCode.NOT_AUTHORIZED, "re-authentication failed"); // [MQTT-4.12.1-2]
        }
    }

    // ---- outbound ----------------------------------------------------------------------------------

    private void queue(PendingDelivery delivery) {
        queue(delivery, null);
    }

    /** @param receipt the publisher's receipt waiting for the message to be safe, or null */
    private void queue(PendingDelivery delivery, StorageReceipt receipt) {
        if (!outbound.offer(delivery, receipt)) {
            services.metrics().increment(Counter.DROPPED_QUEUE_FULL);
            if (receipt != null) {
                receipt.stored(); // dropped on purpose: nobody waits for it
            }
        } else if (receipt != null && !journalCheckScheduled) {
            scheduleJournalCheck();
        }
    }

    private void scheduleJournalCheck() {
        journalCheckScheduled = true;
        channel.eventLoop().schedule(this::journalUnacknowledged,
                services.settings().journalUnacknowledgedAfter().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Messages the client has left unacknowledged for journal-unacknowledged-after go to its session to
     * be journaled, so that their publishers need not wait for a slow client to be acknowledged.
     */
    private void journalUnacknowledged() {
        journalCheckScheduled = false;
        if (phase != Phase.CONNECTED) {
            return;
        }
        List<PendingDelivery> slow = new ArrayList<>();
        List<StorageReceipt> receipts = new ArrayList<>();
        outbound.takeTrackedSince(System.nanoTime() - services.settings().journalUnacknowledgedAfter().toNanos(),
                (delivery, receipt) -> {
                    slow.add(delivery.unsent());
                    receipts.add(receipt);
                });
        if (!slow.isEmpty()) {
            services.metrics().add(Counter.MESSAGES_JOURNALED_UNACKNOWLEDGED, slow.size());
            journaledSinceReplaced += slow.size();
            if (journaledSinceReplaced > services.settings().maxQueued()) {
                // Many of them are acknowledged by now: journal what is left instead, in one go.
                session.journal(outbound.unacknowledged(), receipts, true);
                journaledSinceReplaced = 0;
            } else {
                session.journal(slow, receipts, false);
            }
        }
        if (outbound.tracking()) {
            scheduleJournalCheck();
        }
    }

    private void drainInbox() {
        if (phase != Phase.CONNECTED) {
            return; // drained once the session is attached, or handed back at detach
        }
        inbox.drainTo(this::queue);
        pump();
    }

    /** Writes what the window and the channel allow (re-sends with DUP first), then flushes. */
    private void pump() {
        if (phase != Phase.CONNECTED) {
            return;
        }
        boolean wrote = false;
        long now = System.currentTimeMillis();
        while (channel.isWritable()) {
            boolean resend = outbound.nextIsResend();
            PendingDelivery next = outbound.poll();
            if (next == null) {
                break;
            }
            if (next.released()) {
                send(packets.pubRel(next.packetId(), ReasonCode.SUCCESS)); // a QoS 2 flow left at PUBREL
                wrote = true;
                continue;
            }
            // Expiry stops a message whose delivery has not started [MQTT-3.3.2-5]; a re-send goes on.
            boolean expired = !resend && next.publication().expired(now);
            MqttPublishMessage packet = expired ? null : packets.publish(next, resend, now);
            if (packet == null) {
                // Expired, or larger than the client accepts [MQTT-3.1.2-25]: dropped for this client.
                services.metrics().increment(expired ? Counter.DROPPED_EXPIRED : Counter.DROPPED_TOO_LARGE_FOR_CLIENT);
                outbound.discard(next.packetId());
                continue;
            }
            send(packet);
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
            refuse(Refusal.UNSUPPORTED_PROTOCOL_VERSION, cause.getMessage());
        } else if (phase == Phase.AWAIT_CONNECT && cause instanceof MqttIdentifierRejectedException) {
            refuse(Refusal.IDENTIFIER_REJECTED, cause.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            services.metrics().increment(Counter.PACKETS_TOO_LARGE);
            violation(ReasonCode.PACKET_TOO_LARGE, "packet larger than the maximum: " + cause.getMessage());
        } else {
            violation(ReasonCode.MALFORMED_PACKET, "malformed packet: " + cause.getMessage());
        }
    }

    /**
     * A malformed packet or a protocol violation: the connection is closed, for MQTT 5 after a
     * DISCONNECT with {@code reasonCode} once the session is attached [MQTT-4.13.1-1].
     */
    private void violation(int reasonCode, String problem) {
        services.metrics().increment(Counter.PROTOCOL_ERRORS);
        log.warn("Closing connection of client {} from {}: {}", clientId == null ? "(before CONNECT)" : clientId,
                channel.remoteAddress(), problem);
        closeReason = DisconnectReason.PROTOCOL_ERROR;
        disconnect(reasonCode, problem);
    }

    /** Closes the connection, after a DISCONNECT for MQTT 5 clients that are past CONNACK. */
    private void disconnect(int reasonCode, String why) {
        if (v5() && phase == Phase.CONNECTED && reasonCode >= 0) {
            channel.writeAndFlush(packets.disconnect(reasonCode, why)).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** Hands the session back: what is not acknowledged yet, the will, and why the connection ended. */
    private void detach() {
        phase = Phase.CLOSED;
        // The client saw no PUBREC for these, so it sends them again; they must be forwarded then.
        acks.abandon(this::forgetRelease);
        // A session whose expiry is 0 now (also if DISCONNECT set it so) ends with the connection.
        Subscriber offline = sessionExpiry == 0 ? null : session.offlineSubscriber();
        services.routes().release(route, this, offline);
        // After the release nothing new reaches the inbox; whatever is in it belongs to the session.
        List<PendingDelivery> pending = new ArrayList<>();
        List<StorageReceipt> receipts = new ArrayList<>();
        OutboundQueue.Sink keep = (delivery, receipt) -> {
            if (!redeliveredToShareGroup(delivery, receipt)) {
                pending.add(delivery);
                if (receipt != null) {
                    receipts.add(receipt);
                }
            }
        };
        outbound.drain(keep);
        inbox.drainTo(keep);
        if (offline == null) {
            pending.clear(); // the session ends: nobody waits for what it held
            receipts.forEach(StorageReceipt::stored);
            receipts.clear();
        } else if (!services.settings().queueQos0Offline()) {
            int before = pending.size();
            pending.removeIf(d -> d.qos() == 0);
            services.metrics().add(Counter.DROPPED_QOS0_OFFLINE, before - pending.size());
        }
        Will lastWill = closeReason.publishesWill() ? request.will() : null;
        session.detached(pending, awaitingRelease, lastWill, sessionExpiry, closeReason, receipts);
    }

    /**
     * A shared subscription's QoS 1/2 message this client had not acknowledged goes to another member
     * of its group, as the spec allows once the connection is lost; except a QoS 2 message already
     * sent, whose delivery must complete with this client or not at all [MQTT-4.8.2-4, MQTT-4.8.2-5].
     */
    private boolean redeliveredToShareGroup(PendingDelivery d, StorageReceipt receipt) {
        if (d.shareGroup() == null || d.qos() == 0 || (d.qos() == 2 && d.inFlight())) {
            return false;
        }
        if (!services.shared().redeliver(d.unsent(), route, receipt)) {
            return false;
        }
        services.metrics().increment(Counter.SHARED_REDELIVERED);
        if (receipt != null) {
            receipt.stored(); // the member it went to took over the wait
        }
        return true;
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

    /**
     * Reads stop while the session is being opened, while the client is not reading what we write, and
     * while too many of its PUBLISHes wait for their messages to be stored.
     */
    private void updateAutoRead() {
        channel.config().setAutoRead(phase != Phase.CONNECTING && channel.isWritable() && !acks.full());
    }

    private void releasePipelined() {
        if (pipelined != null) {
            pipelined.forEach(ReferenceCountUtil::release);
            pipelined = null;
        }
    }

    private static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    private static int reasonCode(MqttMessage message) {
        return message.variableHeader() instanceof MqttPubReplyMessageVariableHeader reply ? reply.reasonCode() & 0xFF : 0;
    }
}
