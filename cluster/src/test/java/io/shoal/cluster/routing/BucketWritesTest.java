package io.shoal.cluster.routing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BucketWritesTest {

    private final BucketWrites<String> writes = new BucketWrites<>(4);

    @Test
    void anIdleBucketWritesAChangeAtOnce() {
        writes.add(1, "a");

        assertEquals(List.of("a"), writes.next(1));
    }

    @Test
    void changesMadeWhileAnUpdateIsInFlightGoTogetherInOrderOnceItIsAnswered() {
        writes.add(2, "a");
        assertEquals(List.of("a"), writes.next(2));

        writes.add(2, "b");
        writes.add(2, "c");
        assertEquals(List.of(), writes.next(2));

        writes.answered(2);
        assertEquals(List.of("b", "c"), writes.next(2));
        writes.answered(2);
        assertEquals(List.of(), writes.next(2));
    }

    @Test
    void anUpdateInFlightHoldsBackOnlyItsOwnBucket() {
        writes.add(0, "a");
        writes.next(0);

        writes.add(3, "b");

        assertEquals(List.of("b"), writes.next(3));
    }
}
