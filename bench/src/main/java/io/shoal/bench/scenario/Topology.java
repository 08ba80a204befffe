package io.shoal.bench.scenario;

/**
 * Who publishes where and who subscribes to what. Publisher {@code p} publishes to
 * {@link #topic(int)}; subscriber {@code s} subscribes to {@link #filter(int)} and is meant to
 * receive everything its {@link #feeds(int, int)} publishers send.
 */
public sealed interface Topology {

    String name();

    int publishers();

    int subscribers();

    String topic(int publisher);

    String filter(int subscriber);

    /** True when subscriber {@code s} receives publisher {@code p}'s messages. */
    boolean feeds(int publisher, int subscriber);

    /** {@code publishers} publishers to one subscriber on a wildcard filter. */
    record FanIn(String prefix, int publishers) implements Topology {
        public String name() {
            return "fanin";
        }

        public int subscribers() {
            return 1;
        }

        public String topic(int publisher) {
            return prefix + "/fanin/" + publisher;
        }

        public String filter(int subscriber) {
            return prefix + "/fanin/+";
        }

        public boolean feeds(int publisher, int subscriber) {
            return true;
        }
    }

    /** One publisher to {@code subscribers} subscribers of one topic. */
    record FanOut(String prefix, int subscribers) implements Topology {
        public String name() {
            return "fanout";
        }

        public int publishers() {
            return 1;
        }

        public String topic(int publisher) {
            return prefix + "/fanout";
        }

        public String filter(int subscriber) {
            return prefix + "/fanout";
        }

        public boolean feeds(int publisher, int subscriber) {
            return true;
        }
    }

    /** {@code pairs} publisher/subscriber pairs, each on a topic of its own. */
    record Pairs(String prefix, int pairs) implements Topology {
        public String name() {
            return "pairs";
        }

        public int publishers() {
            return pairs;
        }

        public int subscribers() {
            return pairs;
        }

        public String topic(int publisher) {
            return prefix + "/pairs/" + publisher;
        }

        public String filter(int subscriber) {
            return prefix + "/pairs/" + subscriber;
        }

        public boolean feeds(int publisher, int subscriber) {
            return publisher == subscriber;
        }
    }
}
