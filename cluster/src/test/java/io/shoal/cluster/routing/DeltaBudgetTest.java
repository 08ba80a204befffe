package io.shoal.cluster.routing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeltaBudgetTest {

    private final AtomicLong now = new AtomicLong();
    /** Half of a 20,000-byte frame per second: 10,000 bytes, of which 300 go to each update. */
    private final DeltaBudget budget = new DeltaBudget(20_000, Duration.ofSeconds(1), now::get);

    @Test
    void updatesGoAsDeltasUntilHalfAFrameIsSpentInTheWindow() {
        assertTrue(budget.tryTake(4_700));
        assertTrue(budget.tryTake(4_700));
        assertFalse(budget.tryTake(1));
    }

    @Test
    void anUpdateLargerThanTheBudgetNeverGoesAsADelta() {
        assertFalse(budget.tryTake(10_000));
        assertTrue(budget.tryTake(100), "a refused update spends nothing");
    }

    @Test
    void theBudgetIsRenewedEveryWindow() {
        assertTrue(budget.tryTake(9_000));
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertFalse(budget.tryTake(9_000));
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertTrue(budget.tryTake(9_000));
    }

    @Test
    void aFiltersChangeIsEstimatedFromItsLength() {
        assertTrue(DeltaBudget.bytesOf("fleet/site-1/dev-2/cmd/#") > "fleet/site-1/dev-2/cmd/#".length());
    }
}
