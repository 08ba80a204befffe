package io.shoal.node.topic;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetainedIndexTest {

    private final RetainedIndex<String> index = new RetainedIndex<>();

    /** Stores each topic with its own name as the message. */
    private void retain(String... topics) {
        for (String topic : topics) {
            index.put(topic, topic);
        }
    }

    private Set<String> match(String filter) {
        List<String> found = new ArrayList<>();
        index.match(filter, found::add);
        Set<String> set = new HashSet<>(found);
        assertEquals(found.size(), set.size(), "visited twice for " + filter + ": " + found);
        return set;
    }

    @Test
    void putStoresAndReplacesPerTopic() {
        index.put("a/b", "first");
        index.put("a/c", "other");
        index.put("a/b", "second");
        assertEquals(2, index.size());
        assertEquals(Set.of("second"), match("a/b"));
        assertEquals(Set.of("other"), match("a/c"));
    }

    @Test
    void removeDeletesOnlyThatTopic() {
        retain("a", "a/b", "a/b/c");
        index.remove("a/b");
        assertEquals(2, index.size());
        assertEquals(Set.of("a", "a/b/c"), match("#"));
        assertEquals(Set.of(), match("a/b"));
    }

    @Test
    void removingAnUnknownTopicChangesNothing() {
        retain("a/b");
        index.remove("a");
        index.remove("a/b/c");
        index.remove("x");
        assertEquals(1, index.size());
        assertEquals(Set.of("a/b"), match("a/b"));
        index.remove("a/b");
        index.remove("a/b");
        assertEquals(0, index.size(), "a second remove must not count again");
    }

    @Test
    void exactFilterFindsOnlyThatTopic() {
        retain("a", "a/b", "a//b", "a/", "/a");
        assertEquals(Set.of("a"), match("a"));
        assertEquals(Set.of("a//b"), match("a//b"));
        assertEquals(Set.of("a/"), match("a/"));
        assertEquals(Set.of("/a"), match("/a"));
        assertEquals(Set.of(), match("b"));
    }

    @Test
    void hashFindsEverythingButSystemTopics() {
        retain("a", "a/b", "/x", "b/c/d", "$SYS/load", "$SYS", "a/$SYS");
        assertEquals(Set.of("a", "a/b", "/x", "b/c/d", "a/$SYS"), match("#"));
    }

    @Test
    void hashBelowALevelIncludesThatLevelItself() {
        retain("a", "a/b", "a/b/c", "a/", "b", "ab");
        assertEquals(Set.of("a", "a/b", "a/b/c", "a/"), match("a/#"));
        assertEquals(Set.of("a/b", "a/b/c"), match("a/b/#"));
    }

    @Test
    void plusFindsExactlyOneLevel() {
        retain("a/b", "c/b", "/b", "a/b/c", "b", "a/c", "$SYS/b");
        assertEquals(Set.of("a/b", "c/b", "/b"), match("+/b"));
        assertEquals(Set.of("a/b", "a/c"), match("a/+"));
        assertEquals(Set.of("b"), match("+"));
        assertEquals(Set.of("a/b/c"), match("+/+/+"));
    }

    @Test
    void systemTopicsNeedAFilterThatStartsWithTheirFirstLevel() {
        retain("$SYS/broker/load", "$SYS/x", "$SYS");
        assertEquals(Set.of(), match("+/x"));
        assertEquals(Set.of(), match("+/#"));
        assertEquals(Set.of(), match("#"));
        assertEquals(Set.of("$SYS/x"), match("$SYS/+"));
        assertEquals(Set.of("$SYS", "$SYS/x", "$SYS/broker/load"), match("$SYS/#"));
        assertEquals(Set.of("$SYS/broker/load"), match("$SYS/+/load"));
    }

    @Test
    void removingTheLastTopicOfABranchLetsItBeAddedAgain() {
        retain("a/b/c");
        index.remove("a/b/c");
        assertEquals(0, index.size());
        assertEquals(Set.of(), match("#"));
        assertEquals(Set.of(), match("a/b/c"));

        retain("a/b/c", "a/b");
        assertEquals(2, index.size());
        assertEquals(Set.of("a/b/c", "a/b"), match("a/#"));
    }

    @Test
    void removingADeepTopicKeepsItsAncestorsThatHoldMessages() {
        retain("a", "a/b/c");
        index.remove("a/b/c");
        assertEquals(Set.of("a"), match("#"));
        index.remove("a");
        assertEquals(Set.of(), match("#"));
        assertEquals(0, index.size());
    }
}
