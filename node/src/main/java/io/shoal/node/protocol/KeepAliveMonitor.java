package io.shoal.node.protocol;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that have gone quiet: one periodic sweep over all watched connections instead
 * of a timer per connection, which keeps an idle connection down to a few fields.
 */
public final class KeepAliveMonitor implements AutoCloseable {

    /** A connection with a deadline that moves each time it receives a packet. */
    interface Watched {
        /** System.nanoTime() after which the connection is expired. */
        long deadlineNanos();

        /** Called once, from the sweeping thread, when the deadline has passed. */
        void expire();
    }

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweep;

    public KeepAliveMonitor(ScheduledExecutorService scheduler, long periodMillis) {
        sweep = scheduler.scheduleAtFixedRate(this::sweep, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void watch(Watched connection) {
        watched.add(connection);
    }

    void unwatch(Watched connection) {
        watched.remove(connection);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Watched connection : watched) {
            if (now - connection.deadlineNanos() > 0 && watched.remove(connection)) {
                connection.expire();
            }
        }
    }

    @Override
    public void close() {
        sweep.cancel(false);
    }
}
