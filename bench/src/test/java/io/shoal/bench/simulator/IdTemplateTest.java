package io.shoal.bench.simulator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdTemplateTest {

    @Test
    void placeholdersAreComputedFromTheDeviceIndex() {
        IdTemplate t = new IdTemplate("building/floor-{id/30}/room-{id%30}/sensor-{id+1}/{id}");
        assertEquals("building/floor-0/room-0/sensor-1/0", t.expand(0));
        assertEquals("building/floor-2/room-5/sensor-66/65", t.expand(65));
    }

    @Test
    void unknownPlaceholdersAndDivisionByZeroAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new IdTemplate("a/{floor}"));
        assertThrows(IllegalArgumentException.class, () -> new IdTemplate("a/{id/0}"));
        assertThrows(IllegalArgumentException.class, () -> new IdTemplate("a/{id*2}"));
    }
}
