package io.shoal.bench.scenario;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Waiting for a count the broker drives (messages received), bounded in time. */
final class Progress {

    private static final long POLL_MILLIS = 20;

    private Progress() {
    }

    /**
     * Waits until {@code value} reaches {@code target}, stops growing for {@code quiet}, or
     * {@code limit} has passed; true if it reached the target.
     */
    static boolean await(LongSupplier value, long target, Duration limit, Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = value.getAsLong();
            if (now >= target) {
                return true;
            }
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > quiet.toNanos()) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
        return value.getAsLong() >= target;
    }
}
