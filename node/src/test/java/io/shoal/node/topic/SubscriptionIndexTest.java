package io.shoal.node.topic;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubscriptionIndexTest {

    private final SubscriptionIndex<String, String> index = new SubscriptionIndex<>();

    /** Subscribes key "s" to {@code filter}, with the filter itself as the value so matches say which filter hit. */
    private void subscribe(String... filters) {
        for (String filter : filters) {
            index.put(filter, "s", filter);
        }
    }

    /** The filters (values) that matched {@code topic}, one per visit. */
    private List<String> matchedValues(String topic) {
        List<String> values = new ArrayList<>();
        index.match(topic, (key, value) -> values.add(value));
        return values;
    }

    private Set<String> matchedFilters(String topic) {
        List<String> values = matchedValues(topic);
        Set<String> set = Set.copyOf(values);
        assertEquals(values.size(), set.size(), "a filter was visited twice for " + topic + ": " + values);
        return set;
    }

    @Test
    void exactLevelsMatchOnlyTheSameTopic() {
        subscribe("a/b/c", "a/b", "a//b", "/a", "a/");
        assertEquals(Set.of("a/b/c"), matchedFilters("a/b/c"));
        assertEquals(Set.of("a/b"), matchedFilters("a/b"));
        assertEquals(Set.of("a//b"), matchedFilters("a//b"));
        assertEquals(Set.of("/a"), matchedFilters("/a"));
        assertEquals(Set.of("a/"), matchedFilters("a/"));
        assertEquals(Set.of(), matchedFilters("a"));
        assertEquals(Set.of(), matchedFilters("a/b/c/d"));
        assertEquals(Set.of(), matchedFilters("A/B"));
    }

    @Test
    void singleLevelWildcardMatchesExactlyOneLevelIncludingAnEmptyOne() {
        subscribe("a/+/c", "+", "+/+", "a/+");
        assertEquals(Set.of("a/+/c"), matchedFilters("a/b/c"));
        assertEquals(Set.of("a/+/c"), matchedFilters("a//c"));
        assertEquals(Set.of(), matchedFilters("a/b/c/d"));
        assertEquals(Set.of("+"), matchedFilters("a"));
        assertEquals(Set.of("+/+", "a/+"), matchedFilters("a/b"));
        assertEquals(Set.of("+/+", "a/+"), matchedFilters("a/"));
        assertEquals(Set.of("+/+"), matchedFilters("/"));
        assertEquals(Set.of("+/+"), matchedFilters("/b"));
    }

    @Test
    void multiLevelWildcardMatchesTheParentLevelAndEverythingBelow() {
        subscribe("a/#", "a/b/#", "+/#");
        assertEquals(Set.of("a/#", "+/#"), matchedFilters("a"));
        assertEquals(Set.of("a/#", "a/b/#", "+/#"), matchedFilters("a/b"));
        assertEquals(Set.of("a/#", "a/b/#", "+/#"), matchedFilters("a/b/c/d"));
        assertEquals(Set.of("a/#", "+/#"), matchedFilters("a/"));
        assertEquals(Set.of("+/#"), matchedFilters("b"));
        assertEquals(Set.of("+/#"), matchedFilters("/"));
    }

    @Test
    void hashAloneMatchesEverythingButSystemTopics() {
        subscribe("#");
        for (String topic : List.of("a", "/", "a/b/c", "a//", "sport/tennis/player1", "a/$SYS")) {
            assertEquals(Set.of("#"), matchedFilters(topic), topic);
        }
        assertEquals(Set.of(), matchedFilters("$SYS"));
        assertEquals(Set.of(), matchedFilters("$SYS/broker/load"));
        assertEquals(Set.of(), matchedFilters("$"));
    }

    @Test
    void systemTopicsOnlyMatchFiltersThatDoNotStartWithAWildcard() {
        subscribe("+/x", "+/+", "+/#", "$SYS/+", "$SYS/#", "$SYS/x");
        assertEquals(Set.of("$SYS/+", "$SYS/#", "$SYS/x"), matchedFilters("$SYS/x"));
        assertEquals(Set.of("$SYS/#"), matchedFilters("$SYS"));
        // The same shape without the '$' matches the wildcard-first filters.
        assertEquals(Set.of("+/x", "+/+", "+/#"), matchedFilters("SYS/x"));
    }

    @Test
    void everySubscriberOfAFilterIsVisited() {
        index.put("a/+", "s1", "q1");
        index.put("a/+", "s2", "q2");
        index.put("a/+", "s3", "q0");
        Map<String, String> seen = new HashMap<>();
        index.match("a/b", (key, value) -> assertNull(seen.put(key, value), "visited twice: " + key));
        assertEquals(Map.of("s1", "q1", "s2", "q2", "s3", "q0"), seen);
    }

    @Test
    void aSubscriberOnSeveralMatchingFiltersIsVisitedOncePerFilter() {
        index.put("a/b", "s", "exact");
        index.put("a/+", "s", "plus");
        index.put("#", "s", "hash");
        index.put("a/c", "s", "other");
        List<String> visits = new ArrayList<>();
        index.match("a/b", (key, value) -> {
            assertEquals("s", key);
            visits.add(value);
        });
        visits.sort(null);
        assertEquals(List.of("exact", "hash", "plus"), visits);
    }

    @Test
    void putReplacesTheValueOfTheSameFilterAndKey() {
        assertNull(index.put("a/b", "s", "qos0"));
        assertEquals("qos0", index.put("a/b", "s", "qos1"));
        assertEquals(1, index.size());
        assertEquals(List.of("qos1"), matchedValues("a/b"));
    }

    @Test
    void removeReturnsWhetherThereWasASubscription() {
        index.put("a/b", "s1", "v");
        assertFalse(index.remove("a/b", "s2"), "other key");
        assertFalse(index.remove("a/c", "s1"), "other filter");
        assertFalse(index.remove("a", "s1"), "prefix of the filter");
        assertFalse(index.remove("a/b/c", "s1"), "path that does not exist");
        assertEquals(1, index.size());
        assertTrue(index.remove("a/b", "s1"));
        assertFalse(index.remove("a/b", "s1"), "already removed");
        assertEquals(0, index.size());
    }

    @Test
    void removingOneSubscriberKeepsTheOthers() {
        index.put("a/#", "s1", "v1");
        index.put("a/#", "s2", "v2");
        index.put("a/b", "s1", "v3");
        assertTrue(index.remove("a/#", "s1"));
        Map<String, String> seen = new HashMap<>();
        index.match("a/b", seen::put);
        assertEquals(Map.of("s1", "v3", "s2", "v2"), seen);
    }

    @Test
    void sizeCountsFilterAndKeyEntries() {
        index.put("a", "s1", "v");
        index.put("a", "s2", "v");
        index.put("b/#", "s1", "v");
        index.put("a", "s1", "replaced");
        assertEquals(3, index.size());
        index.remove("a", "s1");
        assertEquals(2, index.size());
    }

    @Test
    void afterRemovingEverythingNothingMatchesAndTheIndexIsReusable() {
        List<String> filters = List.of("a", "a/b", "a/+", "a/#", "#", "+/+", "a//b", "$SYS/#");
        for (String filter : filters) {
            index.put(filter, "s1", filter);
            index.put(filter, "s2", filter);
        }
        assertEquals(2 * filters.size(), index.size());
        for (String filter : filters) {
            assertTrue(index.remove(filter, "s1"));
            assertTrue(index.remove(filter, "s2"));
        }
        assertEquals(0, index.size());
        for (String topic : List.of("a", "a/b", "a//b", "b/c", "$SYS/x", "/")) {
            assertEquals(List.of(), matchedValues(topic), topic);
        }
        // Pruned branches are recreated on demand.
        index.put("a/+", "s3", "again");
        assertEquals(List.of("again"), matchedValues("a/b"));
    }
}
