package io.shoal.node.topic;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SubscriptionIndex} and {@link RetainedIndex} against a naive matcher written straight from
 * MQTT 3.1.1 section 4.7. Topics and filters use a tiny alphabet of levels so that matches are common.
 */
class SubscriptionIndexPropertyTest {

    /** A filter matches a topic, compared level by level [MQTT 4.7.1, MQTT-4.7.2-1]. */
    static boolean naiveMatches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // the rest of the topic, including no level at all ("a/#" matches "a")
            }
            if (i == t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    record Entry(String filter, String key) {
    }

    /** One step applied to both an index and its model: {@code path} is a filter (subscriptions) or a topic (retained). */
    record Op(boolean put, String path, String key, int value) {
    }

    record Sub(String filter, int version) {
    }

    @Property
    void matchFindsExactlyWhatTheNaiveMatcherFinds(
            @ForAll @Size(max = 25) List<@From("filters") String> filters,
            @ForAll @Size(min = 1, max = 10) List<@From("topics") String> topics) {
        SubscriptionIndex<String, Entry> index = new SubscriptionIndex<>();
        Set<Entry> model = new HashSet<>();
        for (int i = 0; i < filters.size(); i++) {
            Entry entry = new Entry(filters.get(i), "k" + (i % 3));
            index.put(entry.filter(), entry.key(), entry);
            model.add(entry);
        }
        assertEquals(model.size(), index.size());
        boolean anyMatch = false;
        for (String topic : topics) {
            Set<Entry> expected = expectedMatches(model, topic);
            assertEquals(expected, actualMatches(index, topic), "topic " + topic);
            anyMatch |= !expected.isEmpty();
        }
        // Guards the generators: the comparison means little if nothing ever matches.
        Statistics.label("some topic matched").collect(anyMatch);
        Statistics.label("some topic matched").coverage(c -> c.check(true).percentage(p -> p > 50));
    }

    @Property
    void matchAgreesWithAModelAfterPutsAndRemovals(
            @ForAll("operations") List<Op> ops,
            @ForAll @Size(min = 1, max = 8) List<@From("topics") String> topics) {
        // The value carries its filter, since the visitor is only told the key.
        SubscriptionIndex<String, Sub> index = new SubscriptionIndex<>();
        Map<Entry, Integer> model = new HashMap<>();
        for (Op op : ops) {
            Entry entry = new Entry(op.path(), op.key());
            if (op.put()) {
                Sub previous = index.put(op.path(), op.key(), new Sub(op.path(), op.value()));
                assertEquals(model.put(entry, op.value()), previous == null ? null : previous.version(), op.toString());
            } else {
                boolean present = model.containsKey(entry);
                assertEquals(present, index.remove(op.path(), op.key()), op.toString());
                model.remove(entry);
                Statistics.label("removal").collect(present ? "hit" : "miss");
            }
            assertEquals(model.size(), index.size(), "size after " + op);
            // Compare after every step: a wrongly pruned branch must show up right away.
            for (String topic : topics) {
                Map<Entry, Integer> expected = new HashMap<>();
                model.forEach((e, version) -> {
                    if (naiveMatches(e.filter(), topic)) {
                        expected.put(e, version);
                    }
                });
                Map<Entry, Integer> actual = new HashMap<>();
                index.match(topic, (key, sub) -> assertNull(actual.put(new Entry(sub.filter(), key), sub.version()),
                        "visited twice: " + sub.filter() + " " + key));
                assertEquals(expected, actual, "topic " + topic + " after " + op);
            }
        }
        Statistics.label("removal").coverage(c -> c.check("hit").count(n -> n > 1000));
    }

    @Property
    void retainedMatchFindsExactlyWhatTheNaiveMatcherFinds(
            @ForAll("retainedOperations") List<Op> ops,
            @ForAll @Size(min = 1, max = 8) List<@From("filters") String> queries) {
        RetainedIndex<String> index = new RetainedIndex<>();
        Map<String, String> model = new HashMap<>();
        for (Op op : ops) {
            if (op.put()) {
                String message = op.path() + "#" + op.value();
                index.put(op.path(), message);
                model.put(op.path(), message);
            } else {
                index.remove(op.path());
                Statistics.label("retained removal").collect(model.remove(op.path()) != null ? "hit" : "miss");
            }
            assertEquals(model.size(), index.size(), "size after " + op);
            for (String filter : queries) {
                Set<String> expected = expectedRetained(model, filter);
                assertEquals(expected, actualRetained(index, filter), "filter " + filter + " after " + op);
                Statistics.label("retained query").collect(expected.isEmpty() ? "none" : "some");
            }
        }
        Statistics.label("retained removal").coverage(c -> c.check("hit").count(n -> n > 1000));
        Statistics.label("retained query").coverage(c -> c.check("some").percentage(p -> p > 10));
    }

    private static Set<String> expectedRetained(Map<String, String> model, String filter) {
        Set<String> expected = new HashSet<>();
        model.forEach((topic, message) -> {
            if (naiveMatches(filter, topic)) {
                expected.add(message);
            }
        });
        return expected;
    }

    private static Set<String> actualRetained(RetainedIndex<String> index, String filter) {
        List<String> found = new ArrayList<>();
        index.match(filter, found::add);
        Set<String> set = new HashSet<>(found);
        assertEquals(found.size(), set.size(), "a message was visited twice for " + filter + ": " + found);
        return set;
    }

    private static Set<Entry> expectedMatches(Set<Entry> model, String topic) {
        Set<Entry> expected = new HashSet<>();
        for (Entry e : model) {
            if (naiveMatches(e.filter(), topic)) {
                expected.add(e);
            }
        }
        return expected;
    }

    private static Set<Entry> actualMatches(SubscriptionIndex<String, Entry> index, String topic) {
        List<Entry> visits = new ArrayList<>();
        index.match(topic, (key, entry) -> {
            assertEquals(entry.key(), key);
            visits.add(entry);
        });
        Set<Entry> set = new HashSet<>(visits);
        assertEquals(visits.size(), set.size(), "an entry was visited twice for " + topic + ": " + visits);
        return set;
    }

    // ---- generators: levels "a", "b", "c" and "" everywhere, "$SYS" only as the first level ----

    private static final List<String> LEVELS = List.of("a", "b", "c", "");

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.of("a", "b", "c", "", "$SYS").list().ofMinSize(1).ofMaxSize(4)
                .map(levels -> join(levels, false))
                .filter(t -> !t.isEmpty());
    }

    @Provide
    Arbitrary<String> filters() {
        return Arbitraries.of("a", "b", "c", "", "$SYS", "+", "+", "#").list().ofMinSize(1).ofMaxSize(4)
                .map(levels -> join(levels, true))
                .filter(f -> !f.isEmpty());
    }

    /** Moves "$SYS" to level 0 only and '#' to the last level only, so the result is always valid. */
    private static String join(List<String> levels, boolean filter) {
        List<String> fixed = new ArrayList<>(levels);
        for (int i = 0; i < fixed.size(); i++) {
            String level = fixed.get(i);
            if (level.equals("$SYS") && i > 0) {
                fixed.set(i, LEVELS.get(i % LEVELS.size()));
            } else if (level.equals("#") && i < fixed.size() - 1) {
                fixed.set(i, "+");
            }
        }
        String joined = String.join("/", fixed);
        if (!joined.isEmpty()) {
            assertTrue(filter ? Topics.isValidFilter(joined) : Topics.isValidTopicName(joined), joined);
        }
        return joined;
    }

    /** Puts and removals over a small pool of filters and keys, so that removals often hit. */
    @Provide
    Arbitrary<List<Op>> operations() {
        return filters().list().ofMinSize(1).ofMaxSize(6).flatMap(pool -> ops(pool, List.of("k1", "k2", "k3")));
    }

    @Provide
    Arbitrary<List<Op>> retainedOperations() {
        return topics().list().ofMinSize(1).ofMaxSize(10).flatMap(pool -> ops(pool, List.of("-")));
    }

    private static Arbitrary<List<Op>> ops(List<String> pool, List<String> keys) {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 2), // 0: remove, else put
                        Arbitraries.of(pool),
                        Arbitraries.of(keys),
                        Arbitraries.integers().between(0, 9))
                .as((kind, path, key, value) -> new Op(kind != 0, path, key, value))
                .list().ofMaxSize(40);
    }
}
