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

    /** A probe is shorter than a tagged message: "PROB" and the number of the route it tests. */
    private static final int PROBE_MAGIC = 0x50524F42;
    private static final int PROBE_SIZE = 8;

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

    /** A message that only shows a route is in place; never counted as traffic. */
    public static ByteBuf probe(ByteBufAllocator alloc, int route) {
        return alloc.buffer(PROBE_SIZE, PROBE_SIZE).writeInt(PROBE_MAGIC).writeInt(route);
    }

    public static boolean isProbe(ByteBuf payload) {
        return payload.readableBytes() == PROBE_SIZE && payload.getInt(payload.readerIndex()) == PROBE_MAGIC;
    }

    /** Which route (of the sender's numbering) a probe tests. */
    public static int probeRoute(ByteBuf payload) {
        return payload.getInt(payload.readerIndex() + 4);
    }
}
