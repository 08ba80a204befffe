package io.shoal.bench.routes;

/**
 * The i-th of a deterministic set of distinct topic filters, shaped like a fleet of devices and its
 * back ends, and a topic that of the whole set only filter i matches. Every shape carries i in a
 * level of its own, so filters never collide and a probe filter (an index beyond the bulk) is new
 * to the table; nodes derive the filters from indexes instead of receiving them.
 */
final class RouteFilters {

    private RouteFilters() {
    }

    /**
     * Half per-device command filters ending in '#', three tenths exact sensor topics, a tenth with a
     * '+' in the middle and a tenth with both wildcards.
     */
    static String filter(long i) {
        return switch ((int) (i % 10)) {
            case 0, 1, 2, 3, 4 -> "fleet/site-" + (i / 2_000) + "/dev-" + i + "/cmd/#";
            case 5, 6, 7 -> "home/" + (i / 50) + "/room-" + (i % 7) + "/sensor-" + i + "/temperature";
            case 8 -> "plant/line-" + (i % 40) + "/+/machine-" + i + "/status";
            default -> "backend/svc-" + i + "/+/events/#";
        };
    }

    /** A topic matched by {@link #filter(long) filter(i)} and by no other filter of the set. */
    static String topic(long i) {
        return filter(i).replace("+", "cell-7").replace("#", "reboot");
    }
}
