package io.shoal.node.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TopicAliasesTest {

    private final TopicAliases aliases = new TopicAliases(3, 0);

    @Test
    void anAliasSetWithATopicStandsForItLater() {
        assertEquals(new TopicAliases.Resolved("a/b", 0), aliases.resolve("a/b", 1));
        assertEquals(new TopicAliases.Resolved("a/b", 0), aliases.resolve("", 1));
        assertEquals(new TopicAliases.Resolved("c", 0), aliases.resolve("c", 1), "an alias can be re-mapped");
        assertEquals(new TopicAliases.Resolved("c", 0), aliases.resolve("", 1));
    }

    @Test
    void aliasZeroOrAboveTheMaximumIsInvalid() {
        assertEquals(ReasonCode.TOPIC_ALIAS_INVALID, aliases.resolve("t", 0).reasonCode());
        assertEquals(ReasonCode.TOPIC_ALIAS_INVALID, aliases.resolve("t", 4).reasonCode());
        assertEquals(ReasonCode.TOPIC_ALIAS_INVALID, new TopicAliases(0, 0).resolve("t", 1).reasonCode());
    }

    @Test
    void anEmptyTopicNeedsAKnownAlias() {
        assertEquals(ReasonCode.PROTOCOL_ERROR, aliases.resolve("", 2).reasonCode());
        assertEquals(ReasonCode.PROTOCOL_ERROR, aliases.resolve("", null).reasonCode());
    }

    @Test
    void noAliasKeepsTheTopic() {
        assertEquals(new TopicAliases.Resolved("x/y", 0), aliases.resolve("x/y", null));
    }
}
