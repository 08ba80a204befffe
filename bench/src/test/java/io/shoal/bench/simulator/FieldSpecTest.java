package io.shoal.bench.simulator;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldSpecTest {

    private static FieldSpec.Generator generator(String hocon) {
        return FieldSpec.parse("test", ConfigFactory.parseString(hocon)).newGenerator(new Random(7));
    }

    @Test
    void randomWalkStaysInRangeAndMovesAtMostOneStep() {
        FieldSpec.Generator walk = generator("type = float, min = 10, max = 20, walk = 0.5, decimals = 3");
        double previous = (double) walk.next();
        for (int i = 0; i < 10_000; i++) {
            double v = (double) walk.next();
            assertTrue(v >= 10 && v <= 20, "in range: " + v);
            assertTrue(Math.abs(v - previous) <= 0.5 + 1e-3, "step " + previous + " -> " + v);
            previous = v;
        }
    }

    @Test
    void integersAreWholeNumbersInRange() {
        FieldSpec.Generator ints = generator("type = int, min = 0, max = 3");
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(ints.next());
        }
        assertEquals(Set.of(0L, 1L, 2L, 3L), seen);
    }

    @Test
    void cycleGoesThroughItsValuesInOrder() {
        FieldSpec.Generator cycle = generator("type = cycle, values = [a, b, c]");
        List<Object> run = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            run.add(cycle.next());
        }
        int start = List.of("a", "b", "c").indexOf(run.get(0));
        for (int i = 0; i < 6; i++) {
            assertEquals(List.of("a", "b", "c").get((start + i) % 3), run.get(i));
        }
    }

    @Test
    void choiceFollowsItsWeights() {
        FieldSpec.Generator choice = generator("type = choice, values = [never, always], weights = [0, 1]");
        for (int i = 0; i < 1000; i++) {
            assertEquals("always", choice.next());
        }
    }

    @Test
    void badDefinitionsNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FieldSpec.parse("devices[0].fields.temp", ConfigFactory.parseString("type = float, min = 5, max = 1")));
        assertTrue(e.getMessage().contains("devices[0].fields.temp"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FieldSpec.parse("f", ConfigFactory.parseString("type = colour")));
        assertThrows(IllegalArgumentException.class,
                () -> FieldSpec.parse("f", ConfigFactory.parseString("type = choice, values = [a, b], weights = [1]")));
    }
}
