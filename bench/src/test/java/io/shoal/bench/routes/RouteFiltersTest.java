package io.shoal.bench.routes;

import io.shoal.node.topic.SubscriptionIndex;
import io.shoal.node.topic.Topics;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteFiltersTest {

    private static final int COUNT = 20_000;

    @Test
    void filtersAreValidAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (long i = 0; i < COUNT; i++) {
            String filter = RouteFilters.filter(i);
            assertTrue(Topics.isValidFilter(filter), filter);
            assertTrue(seen.add(filter), "repeated: " + filter);
        }
    }

    /** A probe's topic must be routed to its writer only through the probe's own filter. */
    @Test
    void eachTopicIsMatchedByItsOwnFilterOnly() {
        SubscriptionIndex<Long, Boolean> index = new SubscriptionIndex<>();
        for (long i = 0; i < COUNT; i++) {
            index.put(RouteFilters.filter(i), i, Boolean.TRUE);
        }
        for (long i = 0; i < COUNT; i++) {
            String topic = RouteFilters.topic(i);
            assertTrue(Topics.isValidTopicName(topic), topic);
            Set<Long> matched = new HashSet<>();
            index.match(topic, (filter, ignored) -> matched.add(filter));
            assertEquals(Set.of(i), matched, topic);
        }
    }

    @Test
    void mixesExactAndWildcardFilters() {
        int hash = 0;
        int plus = 0;
        for (long i = 0; i < 1_000; i++) {
            String filter = RouteFilters.filter(i);
            hash += filter.endsWith("#") ? 1 : 0;
            plus += filter.contains("+") ? 1 : 0;
        }
        assertEquals(600, hash);
        assertEquals(200, plus);
    }
}
