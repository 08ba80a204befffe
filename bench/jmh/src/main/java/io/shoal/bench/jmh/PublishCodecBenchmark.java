package io.shoal.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Decoding and encoding of a QoS 1 PUBLISH with netty's MQTT codec, configured as in Shoal's
 * pipeline ({@code MqttChannelInitializer}): {@code MqttDecoder(1 MiB, 23, strictUtf8 = true)},
 * 1 MiB being the default {@code shoal.mqtt.max-packet-size}, and {@code MqttEncoder.INSTANCE}. Every
 * PUBLISH a node receives is decoded once, and every message it sends is encoded once per
 * subscriber, so these costs scale with the inbound and outbound message rates.
 *
 * <p>The codecs run in an {@link EmbeddedChannel}, so each operation also includes that
 * channel's pipeline pass (fire/flush, inbound or outbound queue); no socket is involved. The
 * decoder reads the protocol version from a channel attribute that only a CONNECT sets; without
 * it netty assumes MQTT 3.1.1, which is what this benchmark relies on (no MQTT 5 properties).
 * Decoding is fed a retained duplicate of one pre-encoded packet in a direct buffer, as socket
 * reads are; the decoder's PUBLISH keeps a retained slice of it as payload, released with the
 * message. Encoding builds the message as {@code Packets.publish} does (payload array wrapped,
 * released by the encoder) and releases the encoded buffer. Shoal's one payload copy out of the
 * decoded message ({@code ByteBufUtil.getBytes}) is not included.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed, pre-touched heap (see SubscriptionIndexBenchmark). Event loops are FastThreadLocalThreads
// with a pooled-buffer cache; netty gives other threads, such as JMH's, none unless told to
// (without it every buffer goes to the shared arena).
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch",
        "-Dio.netty.allocator.useCacheForAllThreads=true"})
@State(Scope.Benchmark)
public class PublishCodecBenchmark {

    private static final int MAX_PACKET_SIZE = 1024 * 1024;
    private static final int MQTT_3_1_MAX_CLIENT_ID_LENGTH = 23;
    private static final String TOPIC = "fleet/eu/device-12345/telemetry";
    private static final int PACKET_ID = 4711;

    @Param({"64", "1024"})
    public int payloadSize;

    private byte[] payload;
    private EmbeddedChannel decoder;
    private EmbeddedChannel encoder;
    private ByteBuf encoded;

    @Setup(Level.Trial)
    public void setUp() {
        payload = new byte[payloadSize];
        Arrays.fill(payload, (byte) 'x');
        decoder = new EmbeddedChannel(new MqttDecoder(MAX_PACKET_SIZE, MQTT_3_1_MAX_CLIENT_ID_LENGTH, true));
        encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);

        encoder.writeOutbound(publish());
        ByteBuf bytes = encoder.readOutbound();
        encoded = Unpooled.directBuffer(bytes.readableBytes()).writeBytes(bytes);
        bytes.release();

        MqttPublishMessage decoded = decode();
        boolean intact = decoded.decoderResult().isSuccess()
                && decoded.variableHeader().topicName().equals(TOPIC)
                && decoded.variableHeader().packetId() == PACKET_ID
                && decoded.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE
                && decoded.payload().readableBytes() == payloadSize;
        decoded.release();
        if (!intact || encoded.refCnt() != 1) {
            throw new IllegalStateException("PUBLISH does not survive an encode/decode round trip");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (encoded.refCnt() != 1) {
            throw new IllegalStateException("input buffer leaked or over-released: refCnt " + encoded.refCnt());
        }
        encoded.release();
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
    }

    @Benchmark
    public String decodePublish() {
        MqttPublishMessage message = decode();
        String topic = message.variableHeader().topicName();
        message.release();
        return topic;
    }

    @Benchmark
    public int encodePublish() {
        encoder.writeOutbound(publish());
        ByteBuf bytes = encoder.readOutbound();
        int length = bytes.readableBytes();
        bytes.release();
        return length;
    }

    private MqttPublishMessage decode() {
        decoder.writeInbound(encoded.retainedDuplicate());
        return decoder.readInbound();
    }

    private MqttPublishMessage publish() {
        return new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader(TOPIC, PACKET_ID),
                Unpooled.wrappedBuffer(payload));
    }
}
