package io.shoal.node.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MqttFrameDecoderTest {

    private static final int MAX = 1024;

    private EmbeddedChannel channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));

    @AfterEach
    void closeChannel() {
        channel.finishAndReleaseAll();
    }

    // ---- raw packets ----

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A length-prefixed string of raw (possibly invalid) UTF-8 bytes. */
    private static byte[] str(byte[] raw) {
        return concat(bytes(raw.length >> 8, raw.length & 0xFF), raw);
    }

    private static byte[] str(String s) {
        return str(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Fixed header (first byte and variable-length remaining length) followed by {@code body}. */
    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int remaining = body.length;
        do {
            int digit = remaining % 128;
            remaining /= 128;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] connect(String protocolName, int level, byte[] clientId) {
        return packet(0x10, concat(str(protocolName), bytes(level, 0x02, 0x00, 0x3C), str(clientId)));
    }

    private static byte[] connect(byte[] clientId) {
        return connect("MQTT", 4, clientId);
    }

    private static byte[] publish(byte[] topic, String payload) {
        return packet(0x30, concat(str(topic), payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] subscribe(byte[] filter, int options) {
        return packet(0x82, concat(bytes(0x00, 0x01), str(filter), bytes(options)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- channel helpers ----

    private void write(byte[] data) {
        channel.writeInbound(Unpooled.wrappedBuffer(data));
    }

    private void writeInChunks(byte[] data, int chunk) {
        for (int i = 0; i < data.length; i += chunk) {
            write(Arrays.copyOfRange(data, i, Math.min(data.length, i + chunk)));
        }
    }

    /** Reads the next frame and returns its bytes, releasing it. */
    private byte[] readFrame() {
        Object msg = channel.readInbound();
        try {
            ByteBuf frame = assertInstanceOf(ByteBuf.class, msg);
            return ByteBufUtil.getBytes(frame);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private PacketRejected readRejection() {
        Object msg = channel.readInbound();
        try {
            return assertInstanceOf(PacketRejected.class, msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void assertNothingMore() {
        Object msg = channel.readInbound();
        ReferenceCountUtil.release(msg);
        assertNull(msg, "unexpected " + msg);
    }

    private void assertRejected(byte[] data, PacketRejected.Kind kind) {
        write(data);
        PacketRejected rejected = readRejection();
        assertEquals(kind, rejected.kind(), rejected.reason());
        assertNothingMore();
    }

    // ---- framing ----

    @Test
    void packetSplitAcrossWritesIsEmittedOnceWhole() {
        byte[] packet = publish(utf8("a/b"), "hello");
        for (int i = 0; i < packet.length - 1; i++) {
            write(new byte[] {packet[i]});
            assertNothingMore();
        }
        write(new byte[] {packet[packet.length - 1]});
        assertArrayEquals(packet, readFrame());
        assertNothingMore();
    }

    @Test
    void twoPacketsInOneWriteAreEmittedSeparately() {
        byte[] first = publish(utf8("a"), "1");
        byte[] second = subscribe(utf8("b/#"), 0x01);
        byte[] pingreq = bytes(0xC0, 0x00);
        write(concat(first, second, pingreq));
        assertArrayEquals(first, readFrame());
        assertArrayEquals(second, readFrame());
        assertArrayEquals(pingreq, readFrame());
        assertNothingMore();
    }

    @Test
    void packetEndingMidWriteWaitsForTheRest() {
        byte[] first = publish(utf8("a"), "1");
        byte[] second = publish(utf8("b"), "22");
        byte[] both = concat(first, second);
        write(Arrays.copyOf(both, first.length + 3));
        assertArrayEquals(first, readFrame());
        assertNothingMore();
        write(Arrays.copyOfRange(both, first.length + 3, both.length));
        assertArrayEquals(second, readFrame());
    }

    @Test
    void packetOfExactlyTheMaximumSizePasses() {
        // 1 byte type + 2 bytes remaining length + body = MAX
        byte[] packet = packet(0x30, concat(str("t"), new byte[MAX - 3 - 3]));
        assertEquals(MAX, packet.length);
        write(packet);
        assertArrayEquals(packet, readFrame());
    }

    @Test
    void tooLargePacketIsRejectedFromItsFixedHeaderAlone() {
        byte[] packet = packet(0x30, concat(str("t"), new byte[MAX - 3 - 2]));
        assertEquals(MAX + 1, packet.length);
        // Only the fixed header: the rejection must not wait for the body.
        write(Arrays.copyOf(packet, 3));
        assertEquals(PacketRejected.Kind.TOO_LARGE, readRejection().kind());
        assertNothingMore();

        // Everything after a rejection is discarded, even well-formed packets.
        write(Arrays.copyOfRange(packet, 3, packet.length));
        write(publish(utf8("a"), "x"));
        assertNothingMore();
    }

    @Test
    void hugeDeclaredSizeIsRejectedWithoutBuffering() {
        // remaining length 268,435,455, the largest MQTT allows
        write(bytes(0x30, 0xFF, 0xFF, 0xFF, 0x7F));
        assertEquals(PacketRejected.Kind.TOO_LARGE, readRejection().kind());
    }

    @Test
    void remainingLengthOfFiveBytesIsMalformed() {
        assertRejected(bytes(0x30, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void remainingLengthOfFourBytesIsAccepted() {
        // A non-minimal four-byte encoding of 5 still frames correctly.
        byte[] packet = concat(bytes(0x30, 0x85, 0x80, 0x80, 0x00), str("a"), utf8("xy"));
        write(packet);
        assertArrayEquals(packet, readFrame());
    }

    // ---- UTF-8 and reserved bits ----

    static Stream<Arguments> invalidUtf8() {
        return Stream.of(
                Arguments.of("bad continuation", bytes('a', 0xC3, 0x28)),
                Arguments.of("encoded surrogate", bytes('a', '/', 0xED, 0xA0, 0x80)),
                Arguments.of("truncated sequence", bytes('a', 0xE6, 0x97)),
                Arguments.of("overlong '/'", bytes('a', 0xC0, 0xAF)),
                Arguments.of("above U+10FFFF", bytes(0xF4, 0x90, 0x80, 0x80)),
                Arguments.of("lone continuation byte", bytes(0x80)),
                Arguments.of("0xFF", bytes('x', 0xFF)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8")
    void publishTopicWithInvalidUtf8IsMalformed(String what, byte[] topic) {
        assertRejected(publish(topic, "x"), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void publishTopicLongerThanThePacketIsMalformed() {
        assertRejected(packet(0x30, bytes(0x00, 0x09, 'a', 'b')), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void validMultiByteTopicsPass() {
        byte[] packet = publish(utf8("température/ü/日本"), "ok");
        write(packet);
        assertArrayEquals(packet, readFrame());
        byte[] sub = subscribe(utf8("température/+/日本"), 0x02);
        write(sub);
        assertArrayEquals(sub, readFrame());
    }

    @Test
    void subscribeFilterWithInvalidUtf8IsMalformed() {
        assertRejected(subscribe(bytes('a', '/', 0xC3, 0x28), 0x00), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void invalidSecondSubscribeFilterIsMalformed() {
        byte[] body = concat(bytes(0x00, 0x07), str("a/b"), bytes(0x01), str(bytes(0xED, 0xA0, 0x80)), bytes(0x00));
        assertRejected(packet(0x82, body), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void unsubscribeFilterWithInvalidUtf8IsMalformed() {
        byte[] body = concat(bytes(0x00, 0x02), str("ok"), str(bytes(0xFF)));
        assertRejected(packet(0xA2, body), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void subscribeWithReservedOptionBitsIsMalformed() {
        assertRejected(subscribe(utf8("a/b"), 0x04), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void subscribeRequestingQos3IsMalformed() {
        assertRejected(subscribe(utf8("a/b"), 0x03), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void subscribeWithoutOptionsByteIsMalformed() {
        assertRejected(packet(0x82, concat(bytes(0x00, 0x01), str("a"))), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void mqtt5SubscribeOptionsAreCheckedWithMqtt5Rules() {
        byte[] connect5 = packet(0x10, concat(str("MQTT"), bytes(5, 0x02, 0x00, 0x3C, 0x00), str("c5")));
        write(connect5);
        assertArrayEquals(connect5, readFrame());
        // No Local (0x04) is reserved in 3.1.1 but valid in 5; a property block precedes the filters.
        byte[] noLocal = packet(0x82, concat(bytes(0x00, 0x01, 0x00), str("a/b"), bytes(0x05)));
        write(noLocal);
        assertArrayEquals(noLocal, readFrame());
        // Retain handling 3 is malformed.
        assertRejected(packet(0x82, concat(bytes(0x00, 0x02, 0x00), str("a/b"), bytes(0x30))), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void mqtt5ReservedSubscribeOptionBitsAreMalformed() {
        write(packet(0x10, concat(str("MQTT"), bytes(5, 0x02, 0x00, 0x3C, 0x00), str("c5"))));
        readFrame();
        assertRejected(packet(0x82, concat(bytes(0x00, 0x01, 0x00), str("a/b"), bytes(0x41))), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void connectWithUnknownProtocolNameIsRejectedAsUnknownProtocol() {
        assertRejected(connect("FOO", 4, utf8("c")), PacketRejected.Kind.UNKNOWN_PROTOCOL);
    }

    @Test
    void connectWithInvalidUtf8ClientIdIsMalformed() {
        assertRejected(connect(bytes('c', 0xC3, 0x28)), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void connectWithInvalidUtf8WillTopicIsMalformed() {
        byte[] body = concat(str("MQTT"), bytes(4, 0x06, 0x00, 0x3C), str("c"), str(bytes(0xED, 0xA0, 0x80)), str("bye"));
        assertRejected(packet(0x10, body), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void connectWithInvalidUtf8UserNameIsMalformed() {
        byte[] body = concat(str("MQTT"), bytes(4, 0x82, 0x00, 0x3C), str("c"), str(bytes(0xC3, 0x28)));
        assertRejected(packet(0x10, body), PacketRejected.Kind.MALFORMED);
    }

    @Test
    void validConnectsPass() {
        byte[] mqtt311 = connect(utf8("client-ü"));
        write(mqtt311);
        assertArrayEquals(mqtt311, readFrame());

        channel.finishAndReleaseAll();
        channel = new EmbeddedChannel(new MqttFrameDecoder(MAX));
        byte[] mqtt31 = connect("MQIsdp", 3, utf8("old"));
        write(mqtt31);
        assertArrayEquals(mqtt31, readFrame());
    }

    // ---- in front of netty's MqttDecoder ----

    private static EmbeddedChannel pipeline() {
        return new EmbeddedChannel(new MqttFrameDecoder(MAX), new MqttDecoder(MAX));
    }

    @Test
    void wholePacketsReachNettysDecoderAndDecode() {
        channel.finishAndReleaseAll();
        channel = pipeline();
        byte[] stream = concat(
                connect(utf8("client-1")),
                subscribe(utf8("température/#"), 0x01),
                publish(utf8("température/ü/日本"), "21.5"),
                bytes(0xC0, 0x00));
        writeInChunks(stream, 3);

        MqttConnectMessage connect = assertInstanceOf(MqttConnectMessage.class, channel.readInbound());
        assertTrue(connect.decoderResult().isSuccess(), String.valueOf(connect.decoderResult()));
        assertEquals("client-1", connect.payload().clientIdentifier());

        MqttSubscribeMessage subscribe = assertInstanceOf(MqttSubscribeMessage.class, channel.readInbound());
        assertTrue(subscribe.decoderResult().isSuccess(), String.valueOf(subscribe.decoderResult()));
        assertEquals("température/#", subscribe.payload().topicSubscriptions().get(0).topicName());
        assertEquals(MqttQoS.AT_LEAST_ONCE, subscribe.payload().topicSubscriptions().get(0).qualityOfService());

        MqttPublishMessage publish = assertInstanceOf(MqttPublishMessage.class, channel.readInbound());
        try {
            assertTrue(publish.decoderResult().isSuccess(), String.valueOf(publish.decoderResult()));
            assertEquals("température/ü/日本", publish.variableHeader().topicName());
            assertEquals("21.5", publish.payload().toString(StandardCharsets.UTF_8));
        } finally {
            publish.release();
        }

        MqttMessage ping = assertInstanceOf(MqttMessage.class, channel.readInbound());
        assertEquals(MqttMessageType.PINGREQ, ping.fixedHeader().messageType());
        assertNothingMore();
    }

    @Test
    void rejectionPassesThroughNettysDecoder() {
        channel.finishAndReleaseAll();
        channel = pipeline();
        write(connect(utf8("c")));
        MqttConnectMessage connect = assertInstanceOf(MqttConnectMessage.class, channel.readInbound());
        assertTrue(connect.decoderResult().isSuccess());

        write(publish(bytes('a', 0xC3, 0x28), "x"));
        assertEquals(PacketRejected.Kind.MALFORMED, readRejection().kind());
        write(publish(utf8("a"), "x"));
        assertNothingMore();
    }
}
