package io.shoal.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One MQTT connection of the load generator, as a Netty handler: thousands share a few event
 * loops. It connects, subscribes, publishes within a QoS 1/2 window and acknowledges what it
 * receives; what to do with received messages and when to publish is up to its owner.
 * Everything but {@link #connected()} is meant to be called on the client's event loop.
 */
public final class LoadClient extends ChannelInboundHandlerAdapter {

    /** Called on the client's event loop for every PUBLISH received. */
    public interface MessageHandler {
        void onMessage(LoadClient client, String topic, ByteBuf payload, int qos);
    }

    private static final int MAX_PACKET_ID = 0xFFFF;
    /**
     * Session Expiry Interval an MQTT 5 client without a clean session asks for: long enough to
     * outlive a broker restart in a benchmark, short enough that forgotten sessions go away.
     */
    private static final int PERSISTENT_SESSION_EXPIRY_SECONDS = 3600;

    private final String clientId;
    private final boolean cleanSession;
    private final ClientOptions options;
    private final CompletableFuture<LoadClient> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Map<Integer, CompletableFuture<List<Integer>>> pendingSubscribes = new HashMap<>();
    private final BitSet unacknowledged = new BitSet();
    private Channel channel;
    private MessageHandler messageHandler = (client, topic, payload, qos) -> { };
    private Runnable onReady = () -> { };
    private IntConsumer onAcknowledged = packetId -> { };
    private int inflight;
    private int lastPacketId;
    private volatile boolean acknowledgeMessages = true;
    private volatile long connectSentAt;
    private volatile long connAckAt;
    private volatile boolean sessionPresent;
    private volatile Integer disconnectReason;

    LoadClient(String clientId, boolean cleanSession, ClientOptions options) {
        this.clientId = clientId;
        this.cleanSession = cleanSession;
        this.options = options;
    }

    public String clientId() {
        return clientId;
    }

    public Channel channel() {
        return channel;
    }

    /** Completes with this client once the broker accepted the CONNECT. */
    public CompletableFuture<LoadClient> connected() {
        return connected;
    }

    /** Completes when the connection is gone. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    public void onMessage(MessageHandler handler) {
        this.messageHandler = handler;
    }

    /** Called when the client may publish again (window freed or channel writable again). */
    public void onReady(Runnable callback) {
        this.onReady = callback;
    }

    /**
     * Called with its packet id when a QoS 1/2 PUBLISH has been acknowledged by the broker (PUBACK
     * or PUBCOMP).
     */
    public void onAcknowledged(IntConsumer callback) {
        this.onAcknowledged = callback;
    }

    /**
     * From now on, leaves received QoS 1/2 messages unacknowledged, so that they stay in flight at
     * the broker (a session taken over with messages in flight). Callable from any thread.
     */
    public void withholdAcknowledgements() {
        acknowledgeMessages = false;
    }

    /** System.nanoTime() when CONNECT was written. */
    public long connectSentAt() {
        return connectSentAt;
    }

    /** System.nanoTime() when CONNACK arrived; meaningful once {@link #connected()} completed. */
    public long connAckAt() {
        return connAckAt;
    }

    /** The CONNACK's session present flag; meaningful once {@link #connected()} completed. */
    public boolean sessionPresent() {
        return sessionPresent;
    }

    /** The reason code of a DISCONNECT the broker sent (MQTT 5, e.g. 0x8E session taken over), or null. */
    public Integer disconnectReason() {
        return disconnectReason;
    }

    /** Subscribes; completes with the granted QoS (or 0x80) per filter. */
    public CompletableFuture<List<Integer>> subscribe(String filter, int qos) {
        CompletableFuture<List<Integer>> granted = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            int id = nextPacketId();
            pendingSubscribes.put(id, granted);
            channel.writeAndFlush(MqttMessageBuilders.subscribe().messageId(id)
                    .addSubscription(MqttQoS.valueOf(qos), filter).build());
        });
        return granted;
    }

    /** True when a PUBLISH at {@code qos} may be written now without exceeding the window. */
    public boolean canPublish(int qos) {
        return channel.isWritable() && (qos == 0 || inflight < options.maxInflight());
    }

    /** Writes (does not flush) a PUBLISH; takes ownership of {@code payload}. Returns its packet id (0 at QoS 0). */
    public int publish(String topic, int qos, boolean retain, ByteBuf payload) {
        int id = 0;
        if (qos > 0) {
            id = nextPacketId();
            unacknowledged.set(id);
            inflight++;
        }
        channel.write(new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), retain, 0),
                new MqttPublishVariableHeader(topic, id), payload), channel.voidPromise());
        return id;
    }

    public void flush() {
        channel.flush();
    }

    public int inflight() {
        return inflight;
    }

    /** Sends DISCONNECT and closes (callable from any thread). */
    public CompletableFuture<Void> disconnect() {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(new MqttMessage(fixed(MqttMessageType.DISCONNECT, MqttQoS.AT_MOST_ONCE)))
                    .addListener(f -> channel.close());
        }
        return closed;
    }

    // ---- Netty -------------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        MqttProperties properties = new MqttProperties();
        if (!cleanSession && options.mqttVersion() == MqttVersion.MQTT_5) {
            // In MQTT 5 a session ends with its connection unless it is given an expiry interval.
            properties.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(),
                    PERSISTENT_SESSION_EXPIRY_SECONDS));
        }
        connectSentAt = System.nanoTime();
        ctx.writeAndFlush(MqttMessageBuilders.connect().clientId(clientId).cleanSession(cleanSession)
                .keepAlive(options.keepAliveSeconds()).protocolVersion(options.mqttVersion())
                .properties(properties).build());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new IOException("connection closed"));
        closed.complete(null);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            onReady.run();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        MqttMessage message = (MqttMessage) msg;
        try {
            if (message.decoderResult().isFailure()) {
                exceptionCaught(ctx, message.decoderResult().cause());
                return;
            }
            switch (message.fixedHeader().messageType()) {
                case CONNACK -> onConnAck((MqttConnAckMessage) message);
                case PUBLISH -> onPublish((MqttPublishMessage) message);
                case PUBACK, PUBCOMP -> onCompleted(packetId(message));
                case PUBREC -> ctx.writeAndFlush(withId(MqttMessageType.PUBREL, MqttQoS.AT_LEAST_ONCE, packetId(message)));
                case PUBREL -> ctx.writeAndFlush(withId(MqttMessageType.PUBCOMP, MqttQoS.AT_MOST_ONCE, packetId(message)));
                case SUBACK -> onSubAck((MqttSubAckMessage) message);
                case DISCONNECT -> onDisconnect(message);
                default -> { }
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void onConnAck(MqttConnAckMessage ack) {
        connAckAt = System.nanoTime();
        MqttConnectReturnCode code = ack.variableHeader().connectReturnCode();
        if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            fail(new IOException("CONNECT refused: " + code));
            channel.close();
            return;
        }
        sessionPresent = ack.variableHeader().isSessionPresent();
        int keepAlive = options.keepAliveSeconds();
        if (keepAlive > 0) {
            channel.eventLoop().scheduleAtFixedRate(() -> channel.writeAndFlush(
                            new MqttMessage(fixed(MqttMessageType.PINGREQ, MqttQoS.AT_MOST_ONCE))),
                    keepAlive * 500L, keepAlive * 500L, TimeUnit.MILLISECONDS);
        }
        connected.complete(this);
    }

    private void onPublish(MqttPublishMessage publish) {
        int qos = publish.fixedHeader().qosLevel().value();
        int id = publish.variableHeader().packetId();
        messageHandler.onMessage(this, publish.variableHeader().topicName(), publish.payload(), qos);
        if (!acknowledgeMessages) {
            return;
        }
        if (qos == 1) {
            channel.writeAndFlush(withId(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, id));
        } else if (qos == 2) {
            channel.writeAndFlush(withId(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, id));
        }
    }

    private void onDisconnect(MqttMessage disconnect) {
        if (disconnect.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header) {
            disconnectReason = Byte.toUnsignedInt(header.reasonCode());
        }
    }

    private void onCompleted(int packetId) {
        if (unacknowledged.get(packetId)) {
            unacknowledged.clear(packetId);
            inflight--;
            onAcknowledged.accept(packetId);
            onReady.run();
        }
    }

    private void onSubAck(MqttSubAckMessage ack) {
        CompletableFuture<List<Integer>> granted = pendingSubscribes.remove(ack.variableHeader().messageId());
        if (granted != null) {
            granted.complete(ack.payload().grantedQoSLevels());
        }
    }

    private void fail(Throwable cause) {
        connected.completeExceptionally(cause);
        pendingSubscribes.values().forEach(f -> f.completeExceptionally(cause));
        pendingSubscribes.clear();
    }

    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId % MAX_PACKET_ID + 1;
        } while (unacknowledged.get(lastPacketId) || pendingSubscribes.containsKey(lastPacketId));
        return lastPacketId;
    }

    private static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    private static MqttMessage withId(MqttMessageType type, MqttQoS flags, int id) {
        return new MqttMessage(fixed(type, flags), MqttMessageIdVariableHeader.from(id));
    }

    private static MqttFixedHeader fixed(MqttMessageType type, MqttQoS flags) {
        return new MqttFixedHeader(type, false, flags, false, 0);
    }
}
