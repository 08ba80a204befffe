package io.shoal.deploy.e2e;

import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bare MQTT client over a real socket, for what real client libraries will not do: malformed or
 * out-of-order packets, withheld acknowledgements, inspecting DUP flags and packet ids. Packets are
 * encoded and decoded with netty's codec (or written as raw bytes).
 */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Where netty's codec keeps a channel's protocol level; it encodes and decodes MQTT 5 by it. */
    private static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
    private MqttVersion version = MqttVersion.MQTT_3_1_1;

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects with MQTT 3.1.1 and expects CONNACK accepted; returns the session present flag. */
    public static RawClient connected(int port, String clientId, boolean cleanSession) throws IOException {
        RawClient client = new RawClient(port);
        MqttConnAckMessage ack = client.connect(clientId, cleanSession, 0);
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
        return client;
    }

    public MqttConnAckMessage connect(String clientId, boolean cleanSession, int keepAliveSeconds) throws IOException {
        send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(clientId)
                .cleanSession(cleanSession).keepAlive(keepAliveSeconds).build());
        MqttMessage reply = receive();
        assertNotNull(reply, "no CONNACK");
        return (MqttConnAckMessage) reply;
    }

    /** Connects with MQTT 5 and expects CONNACK success. */
    public static RawClient connected5(int port, String clientId, MqttProperties properties) throws IOException {
        RawClient client = new RawClient(port);
        MqttConnAckMessage ack = client.connect5(clientId, true, 0, properties);
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
        return client;
    }

    /** Sends an MQTT 5 CONNECT; from then on packets are encoded and decoded as MQTT 5. Returns the CONNACK. */
    public MqttConnAckMessage connect5(String clientId, boolean cleanStart, int keepAliveSeconds,
                                       MqttProperties properties) throws IOException {
        useMqtt5();
        send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId(clientId)
                .cleanSession(cleanStart).keepAlive(keepAliveSeconds).properties(properties).build());
        MqttMessage reply = receive();
        assertNotNull(reply, "no CONNACK");
        return (MqttConnAckMessage) reply;
    }

    /** Encode and decode as MQTT 5 (for CONNECTs built by hand). */
    public void useMqtt5() {
        version = MqttVersion.MQTT_5;
        encoder.attr(MQTT_VERSION).set(version);
    }

    /** Connects with MQTT 3.1.1 and a will; expects CONNACK accepted. */
    public static RawClient connectedWithWill(int port, String clientId, int keepAliveSeconds, String willTopic,
                                              String willPayload, int willQos, boolean willRetain) throws IOException {
        RawClient client = new RawClient(port);
        client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(clientId)
                .cleanSession(true).keepAlive(keepAliveSeconds).willFlag(true).willTopic(willTopic)
                .willMessage(willPayload.getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.valueOf(willQos))
                .willRetain(willRetain).build());
        MqttConnAckMessage ack = (MqttConnAckMessage) client.receive();
        assertNotNull(ack, "no CONNACK");
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
        return client;
    }

    public void send(MqttMessage message) throws IOException {
        encoder.writeOutbound(message);
        ByteBuf encoded;
        while ((encoded = encoder.readOutbound()) != null) {
            try {
                out.write(ByteBufUtil.getBytes(encoded));
            } finally {
                encoded.release();
            }
        }
        out.flush();
    }

    public void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void publish(String topic, String payload, int qos, int packetId, boolean dup) throws IOException {
        send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), false, 0),
                new MqttPublishVariableHeader(topic, packetId),
                Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
    }

    public void subscribe(int packetId, String filter, int qos) throws IOException {
        send(MqttMessageBuilders.subscribe().messageId(packetId).addSubscription(MqttQoS.valueOf(qos), filter).build());
        MqttMessage ack = receiveSkippingPublishes();
        assertEquals(MqttMessageType.SUBACK, ack.fixedHeader().messageType());
    }

    /** Sends an acknowledgement-type packet (PUBACK, PUBREC, PUBREL, PUBCOMP). */
    public void ack(MqttMessageType type, int packetId) throws IOException {
        MqttQoS flags = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        send(new MqttMessage(new MqttFixedHeader(type, false, flags, false, 0), MqttMessageIdVariableHeader.from(packetId)));
    }

    /** The next packet from the broker, or null if none arrives within 5 seconds. */
    public MqttMessage receive() throws IOException {
        return receive(Duration.ofSeconds(5));
    }

    /** The next packet from the broker, or null if none arrives in time. */
    public MqttMessage receive(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            ByteArrayOutputStream packet = new ByteArrayOutputStream();
            packet.write(first);
            int remaining = 0;
            for (int shift = 0; ; shift += 7) {
                int digit = in.read();
                if (digit < 0) {
                    return null;
                }
                packet.write(digit);
                remaining |= (digit & 0x7F) << shift;
                if ((digit & 0x80) == 0) {
                    break;
                }
            }
            packet.write(in.readNBytes(remaining));
            EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());
            decoder.attr(MQTT_VERSION).set(version);
            decoder.writeInbound(Unpooled.wrappedBuffer(packet.toByteArray()));
            MqttMessage message = decoder.readInbound();
            decoder.finishAndReleaseAll();
            assertTrue(message.decoderResult().isSuccess(), "broker sent an undecodable packet");
            return message;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /** The next packet that is not a PUBLISH (publishes are released unread). */
    public MqttMessage receiveSkippingPublishes() throws IOException {
        while (true) {
            MqttMessage message = receive();
            assertNotNull(message, "expected a packet");
            if (message.fixedHeader().messageType() != MqttMessageType.PUBLISH) {
                return message;
            }
            ReferenceCountUtil.release(message);
        }
    }

    /** The next packet, which must be a PUBLISH; its payload is copied out, so nothing needs releasing. */
    public Received receivePublish() throws IOException {
        MqttMessage message = receive();
        assertNotNull(message, "expected a PUBLISH");
        assertEquals(MqttMessageType.PUBLISH, message.fixedHeader().messageType(), "expected a PUBLISH");
        MqttPublishMessage publish = (MqttPublishMessage) message;
        try {
            return new Received(publish.variableHeader().topicName(),
                    publish.payload().toString(StandardCharsets.UTF_8), publish.fixedHeader().qosLevel().value(),
                    publish.variableHeader().packetId(), publish.fixedHeader().isDup(), publish.fixedHeader().isRetain());
        } finally {
            publish.release();
        }
    }

    /** True once the broker has closed the connection (end of stream or reset) within the timeout. */
    public boolean awaitClosed(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Drops the TCP connection without DISCONNECT, as a device losing its network does. */
    public void dropConnection() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        encoder.finishAndReleaseAll();
        socket.close();
    }

    /** A PUBLISH as the client saw it. */
    public record Received(String topic, String payload, int qos, int packetId, boolean dup, boolean retain) {
    }
}
