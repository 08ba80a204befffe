package io.shoal.bench.scenario;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.shoal.bench.client.Payloads;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteProbeTest {

    private static BitSet subscribers(int... indexes) {
        BitSet set = new BitSet();
        for (int i : indexes) {
            set.set(i);
        }
        return set;
    }

    @Test
    void aRouteIsInPlaceOnceEachOfItsSubscribersReceivedAProbeOnItAndTrafficIsNotAProbe() {
        RouteProbe probe = new RouteProbe(List.of(new RouteProbe.Route(null, "a", subscribers(0, 1)),
                new RouteProbe.Route(null, "b", subscribers(1))));
        var alloc = UnpooledByteBufAllocator.DEFAULT;
        assertEquals(3, probe.pending());
        assertTrue(probe.onMessage(0, Payloads.probe(alloc, 0)));
        assertTrue(probe.onMessage(0, Payloads.probe(alloc, 0)), "a second probe is still a probe");
        assertTrue(probe.onMessage(0, Payloads.probe(alloc, 1)), "subscriber 0 is not one of route 1's");
        assertTrue(probe.onMessage(1, Payloads.probe(alloc, 7)), "an unknown route");
        assertEquals(2, probe.pending());
        assertFalse(probe.onMessage(1, Payloads.encode(alloc, 64, 0, 0, 0)));
        probe.onMessage(1, Payloads.probe(alloc, 0));
        probe.onMessage(1, Payloads.probe(alloc, 1));
        assertEquals(0, probe.pending());
    }
}
