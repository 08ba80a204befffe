package io.shoal.deploy.packaged;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a QoS 1 load delivered: per publisher what it published and what the broker acknowledged,
 * per subscriber which acknowledged messages it never received and how many it received twice.
 * Missing messages are listed as sequence ranges per publisher, next to the publishers' positions
 * at named moments of the test (e.g. when a node was killed), to tell when they were published.
 */
final class DeliveryReport {

    private final List<AckCountingPublisher> publishers;
    private final List<CountingSubscriber> subscribers;
    private final Map<String, Map<String, Integer>> moments = new LinkedHashMap<>();

    DeliveryReport(List<AckCountingPublisher> publishers, List<CountingSubscriber> subscribers) {
        this.publishers = publishers;
        this.subscribers = subscribers;
    }

    /** Notes how far each publisher had got at this moment. */
    void moment(String name) {
        Map<String, Integer> positions = new LinkedHashMap<>();
        publishers.forEach(p -> positions.put(p.id(), p.published()));
        moments.put(name, positions);
    }

    Set<String> acknowledged() {
        Set<String> all = new TreeSet<>();
        publishers.forEach(p -> all.addAll(p.acknowledged()));
        return all;
    }

    /** Acknowledged messages missing, summed over the subscribers. */
    int lost() {
        Set<String> acknowledged = acknowledged();
        return subscribers.stream().mapToInt(s -> missing(acknowledged, s).size()).sum();
    }

    /** The {@code acknowledged} messages {@code subscriber} never received. */
    private static Set<String> missing(Set<String> acknowledged, CountingSubscriber subscriber) {
        Set<String> missing = new TreeSet<>(acknowledged);
        missing.removeAll(subscriber.received().keySet());
        return missing;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        Set<String> acknowledged = acknowledged();
        int published = publishers.stream().mapToInt(AckCountingPublisher::published).sum();
        text.append("published ").append(published).append(", acknowledged ").append(acknowledged.size()).append('\n');
        for (AckCountingPublisher p : publishers) {
            text.append("  ").append(p.id()).append(": published ").append(p.published())
                    .append(", acknowledged ").append(p.acknowledged().size())
                    .append(", not acknowledged ").append(p.notAcknowledged())
                    .append(", unanswered ").append(p.pending())
                    .append(", sessions resumed on reconnect ").append(p.resumedSessions()).append('\n');
            ranges(p.refused()).forEach((publisher, ranges) ->
                    text.append("    not acknowledged: ").append(ranges).append('\n'));
        }
        moments.forEach((name, positions) -> text.append("  at ").append(name).append(": ").append(positions).append('\n'));
        for (CountingSubscriber s : subscribers) {
            Set<String> missing = missing(acknowledged, s);
            Map<String, Integer> received = s.received();
            long duplicates = acknowledged.stream().mapToLong(m -> Math.max(0, received.getOrDefault(m, 0) - 1)).sum();
            text.append(s.id()).append(": received ").append(acknowledged.size() - missing.size())
                    .append(" of the acknowledged, missing ").append(missing.size())
                    .append(", duplicates ").append(duplicates)
                    .append(", sessions resumed on reconnect ").append(s.resumedSessions()).append('\n');
            ranges(missing).forEach((publisher, ranges) ->
                    text.append("  missing from ").append(publisher).append(": ").append(ranges).append('\n'));
        }
        return text.toString();
    }

    /** "pub1-7", "pub1-8", "pub1-9", "pub2-3" as {pub1=[7-9], pub2=[3]}. */
    private static Map<String, List<String>> ranges(Set<String> payloads) {
        Map<String, TreeSet<Integer>> seqs = new TreeMap<>();
        for (String payload : payloads) {
            int dash = payload.lastIndexOf('-');
            seqs.computeIfAbsent(payload.substring(0, dash), k -> new TreeSet<>())
                    .add(Integer.parseInt(payload.substring(dash + 1)));
        }
        Map<String, List<String>> ranges = new TreeMap<>();
        seqs.forEach((publisher, numbers) -> {
            int[] sorted = numbers.stream().mapToInt(Integer::intValue).toArray();
            List<String> list = new ArrayList<>();
            for (int i = 0; i < sorted.length; ) {
                int j = i;
                while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) {
                    j++;
                }
                list.add(i == j ? String.valueOf(sorted[i]) : sorted[i] + "-" + sorted[j]);
                i = j + 1;
            }
            ranges.put(publisher, list);
        });
        return ranges;
    }
}
