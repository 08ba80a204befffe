package io.shoal.bench.routes;

import com.sun.management.GarbageCollectionNotificationInfo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The most heap found in use right after any collection since {@link #reset()}: an upper bound of
 * the live heap while the table is busy, observed without forcing a collection (a full collection
 * of a large busy heap pauses the node for seconds, long enough for its peers to down it).
 */
final class HeapAfterGc {

    private final AtomicLong peak = new AtomicLong();

    HeapAfterGc() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    GarbageCollectionNotificationInfo info =
                            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                    long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                            .mapToLong(MemoryUsage::getUsed).sum();
                    peak.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
    }

    void reset() {
        peak.set(0);
    }

    long peak() {
        return peak.get();
    }
}
