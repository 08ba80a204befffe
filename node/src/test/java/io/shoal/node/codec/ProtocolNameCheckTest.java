package io.shoal.node.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ProtocolNameCheckTest {

    /** CONNECT with the given protocol name, level 4, clean session, keep-alive 60, client id "c". */
    private static byte[] connect(String name) {
        byte[] n = name.getBytes();
        byte[] packet = new byte[2 + 2 + n.length + 4 + 3];
        int i = 0;
        packet[i++] = 0x10;
        packet[i++] = (byte) (packet.length - 2);
        packet[i++] = 0;
        packet[i++] = (byte) n.length;
        System.arraycopy(n, 0, packet, i, n.length);
        i += n.length;
        packet[i++] = 4;
        packet[i++] = 2;
        packet[i++] = 0;
        packet[i++] = 60;
        packet[i++] = 0;
        packet[i++] = 1;
        packet[i] = 'c';
        return packet;
    }

    @Test
    void mqttAndMqisdpConnectsPassThroughUnchangedAndTheCheckLeaves() {
        for (String name : new String[] {"MQTT", "MQIsdp"}) {
            EmbeddedChannel channel = new EmbeddedChannel(new ProtocolNameCheck());
            byte[] packet = connect(name);
            channel.writeInbound(Unpooled.wrappedBuffer(packet));
            assertArrayEquals(packet, readAll(channel));
            assertNull(channel.pipeline().get(ProtocolNameCheck.class), "removed after the first packet");
        }
    }

    @Test
    void otherProtocolNamesAreReportedAndTheirBytesDiscarded() {
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolNameCheck());
        channel.writeInbound(Unpooled.wrappedBuffer(connect("MQTX")));
        assertEquals(new UnknownProtocol("MQTX"), channel.readInbound());
        assertNull(channel.readInbound());
    }

    @Test
    void aConnectArrivingByteByByteIsJudgedOnceTheNameIsComplete() {
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolNameCheck());
        byte[] packet = connect("MQTT");
        for (byte b : packet) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertArrayEquals(packet, readAll(channel));
    }

    @Test
    void aFirstPacketThatIsNotConnectIsLeftToTheProtocolHandler() {
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolNameCheck());
        byte[] publish = {0x30, 3, 0, 1, 'a'};
        channel.writeInbound(Unpooled.wrappedBuffer(publish));
        assertArrayEquals(publish, readAll(channel));
        assertNull(channel.pipeline().get(ProtocolNameCheck.class));
    }

    private static byte[] readAll(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            all.writeBytes(buf);
            buf.release();
        }
        return ByteBufUtil.getBytes(all);
    }
}
