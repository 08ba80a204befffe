package io.shoal.node.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Looks at the protocol name of a connection's first packet, then leaves the pipeline.
 *
 * <p>A CONNECT naming another protocol must be closed without a CONNACK [MQTT-3.1.2-1], while one
 * naming MQTT with an unsupported level gets CONNACK 0x01 [MQTT-3.1.2-2]. Netty's decoder reports
 * both with the same exception, so the name is read here, once per connection.
 */
public final class ProtocolNameCheck extends ByteToMessageDecoder {

    private static final int CONNECT = 1;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        if (in.readableBytes() < 1) {
            return;
        }
        if (in.getUnsignedByte(start) >> 4 != CONNECT) {
            ctx.pipeline().remove(this); // the protocol handler refuses anything before CONNECT
            return;
        }
        int i = start + 1;
        for (int digits = 1; ; digits++) {
            if (i >= in.writerIndex()) {
                return;
            }
            if ((in.getUnsignedByte(i++) & 0x80) == 0) {
                break;
            }
            if (digits == 4) {
                ctx.pipeline().remove(this); // malformed length: the decoder reports it
                return;
            }
        }
        if (in.writerIndex() < i + 2 || in.writerIndex() < i + 2 + in.getUnsignedShort(i)) {
            return;
        }
        String name = in.toString(i + 2, in.getUnsignedShort(i), StandardCharsets.UTF_8);
        if (name.equals("MQTT") || name.equals("MQIsdp")) {
            ctx.pipeline().remove(this);
        } else {
            in.skipBytes(in.readableBytes());
            out.add(new UnknownProtocol(name));
        }
    }
}
