package io.shoal.node.topic;

/**
 * Rules for topic names (what a PUBLISH carries) and topic filters (what a SUBSCRIBE asks for),
 * MQTT 3.1.1 section 4.7 and MQTT 5.0 section 4.7.
 */
public final class Topics {

    public static final char SEPARATOR = '/';
    public static final String SINGLE_LEVEL = "+";
    public static final String MULTI_LEVEL = "#";

    private Topics() {
    }

    /** A topic name is at least one character, has no wildcards and no U+0000. */
    public static boolean isValidTopicName(String topic) {
        if (topic == null || topic.isEmpty()) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == '\u0000') {
                return false;
            }
        }
        return true;
    }

    /**
     * A topic filter is at least one character and has no U+0000; '+' must occupy a whole level,
     * '#' a whole level and the last one.
     */
    public static boolean isValidFilter(String filter) {
        if (filter == null || filter.isEmpty()) {
            return false;
        }
        int levelStart = 0;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (c == '+' || c == '#') {
                boolean wholeLevel = i == levelStart
                        && (i + 1 == filter.length() || filter.charAt(i + 1) == SEPARATOR);
                if (!wholeLevel || (c == '#' && i + 1 != filter.length())) {
                    return false;
                }
            } else if (c == SEPARATOR) {
                levelStart = i + 1;
            }
        }
        return true;
    }

    /** Topics starting with '$' are for the server; filters starting with a wildcard do not match them. */
    public static boolean isSystemTopic(String topic) {
        return !topic.isEmpty() && topic.charAt(0) == '$';
    }

    /** Splits a topic or filter into its levels; empty levels are kept ("a//b" has three levels). */
    public static String[] levels(String topicOrFilter) {
        int count = 1;
        for (int i = 0; i < topicOrFilter.length(); i++) {
            if (topicOrFilter.charAt(i) == SEPARATOR) {
                count++;
            }
        }
        String[] levels = new String[count];
        int start = 0;
        int n = 0;
        for (int i = 0; i < topicOrFilter.length(); i++) {
            if (topicOrFilter.charAt(i) == SEPARATOR) {
                levels[n++] = topicOrFilter.substring(start, i);
                start = i + 1;
            }
        }
        levels[n] = topicOrFilter.substring(start);
        return levels;
    }
}
