package io.shoal.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The load generator's message body: when it was (meant to be) sent, by which publisher, with
 * which sequence number; padded to the requested size. Receivers use it for latency, loss and
 * duplicate accounting. All peers run in one JVM, so System.nanoTime() is a shared clock.
 */
public final class Payloads {

    /** 8 bytes send time, 4 bytes publisher index, 8 bytes sequence. */
    public static final int HEADER_SIZE = 20;

    private Payloads() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc, int size, long sentNanos, int publisher, long sequence) {
        int length = Math.max(size, HEADER_SIZE);
        ByteBuf buf = alloc.buffer(length, length);
        buf.writeLong(sentNanos);
        buf.writeInt(publisher);
        buf.writeLong(sequence);
        buf.writeZero(length - HEADER_SIZE);
        return buf;
    }

    public static long sentNanos(ByteBuf payload) {
        return payload.getLong(payload.readerIndex());
    }

    public static int publisher(ByteBuf payload) {
        return payload.getInt(payload.readerIndex() + 8);
    }

    public static long sequence(ByteBuf payload) {
        return payload.getLong(payload.readerIndex() + 12);
    }

    /** True when the body can carry the header (a message from the load generator). */
    public static boolean isTagged(ByteBuf payload) {
        return payload.readableBytes() >= HEADER_SIZE;
    }
}
