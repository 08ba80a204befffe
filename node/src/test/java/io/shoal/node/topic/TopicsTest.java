package io.shoal.node.topic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topic names and filters, MQTT 3.1.1 section 4.7. */
class TopicsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "/", "a//b", "+", "#", "a/+/c", "+/+", "a/#", "$SYS/#", "/#", "+/#", "a/b/c"})
    void validFilters(String filter) {
        assertTrue(Topics.isValidFilter(filter), filter);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a#", "a/#/b", "a+", "+a/b", "a/b#", "#/", "##", "++", "a/+b", "a\u0000b", "\u0000",
            "a/\u0000/#"})
    void invalidFilters(String filter) {
        assertFalse(Topics.isValidFilter(filter), filter);
    }

    @Test
    void nullIsNeitherAValidFilterNorAValidName() {
        assertFalse(Topics.isValidFilter(null));
        assertFalse(Topics.isValidTopicName(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "/", "a//b", "a/b/c", "$SYS/broker", "température/ü/日本", " "})
    void validTopicNames(String topic) {
        assertTrue(Topics.isValidTopicName(topic), topic);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "#", "a/+", "a/#", "a+b", "a#b", "+/b", "a/b\u0000", "\u0000"})
    void invalidTopicNames(String topic) {
        assertFalse(Topics.isValidTopicName(topic), topic);
    }

    @Test
    void systemTopicsStartWithDollar() {
        assertTrue(Topics.isSystemTopic("$SYS/broker"));
        assertTrue(Topics.isSystemTopic("$"));
        assertFalse(Topics.isSystemTopic("a/$SYS"));
        assertFalse(Topics.isSystemTopic(""));
    }

    @Test
    void levelsKeepEmptyLevels() {
        assertArrayEquals(new String[] {"a"}, Topics.levels("a"));
        assertArrayEquals(new String[] {"a", "b", "c"}, Topics.levels("a/b/c"));
        assertArrayEquals(new String[] {"a", "", "b"}, Topics.levels("a//b"));
        assertArrayEquals(new String[] {"", "a"}, Topics.levels("/a"));
        assertArrayEquals(new String[] {"a", ""}, Topics.levels("a/"));
        assertArrayEquals(new String[] {"", ""}, Topics.levels("/"));
        assertArrayEquals(new String[] {""}, Topics.levels(""));
        assertArrayEquals(new String[] {"$SYS", "+", "#"}, Topics.levels("$SYS/+/#"));
    }
}
