package io.shoal.cluster.routing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void theLastUpdateOfABucketIsAnsweredOnceEveryChangeAddedBeforeItWasWritten() {
        assertTrue(writes.isAnswered(1, writes.lastUpdate(1)), "nothing written: nothing to wait for");

        writes.add(1, "a");
        writes.next(1);
        writes.add(1, "b");
        long carriesB = writes.lastUpdate(1);
        writes.add(1, "c"); // after the mark, in the same update as b

        writes.answered(1);
        assertFalse(writes.isAnswered(1, carriesB), "only the update with a was answered");
        assertEquals(List.of("b", "c"), writes.next(1));
        writes.answered(1);
        assertTrue(writes.isAnswered(1, carriesB));
        assertTrue(writes.isAnswered(0, writes.lastUpdate(0)), "other buckets are not held back");
    }
}
