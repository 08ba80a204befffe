package io.shoal.bench.routes;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VisibilityTest {

    @Test
    void aProbeIsVisibleEverywhereWhenTheSlowestNodeSawIt() {
        Visibility v = new Visibility(List.of(List.of(300.0, 500.0), List.of(900.0, 100.0), List.of(200.0, 250.0)), 0);

        assertEquals(List.of(250.0, 500.0, 900.0), v.allNodesSorted());
        assertEquals(List.of(100.0, 200.0, 250.0, 300.0, 500.0, 900.0), v.eachNodeSorted());
    }

    @Test
    void percentilesAreNearestRank() {
        List<Double> sorted = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);

        assertEquals(5.0, Visibility.percentile(sorted, 50));
        assertEquals(10.0, Visibility.percentile(sorted, 99));
        assertEquals(10.0, Visibility.percentile(sorted, 100));
        assertEquals(1.0, Visibility.percentile(sorted, 0));
        assertTrue(Double.isNaN(Visibility.percentile(List.of(), 50)));
    }
}
