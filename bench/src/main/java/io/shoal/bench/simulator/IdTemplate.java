package io.shoal.bench.simulator;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client id or topic pattern with placeholders computed from the device's index in its group:
 * {@code {id}}, {@code {id/30}} (integer division), {@code {id%30}} (remainder), {@code {id+1}}.
 * "building/floor-{id/30}/room-{id%30}" puts 30 rooms on each floor.
 */
record IdTemplate(String pattern) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{id(?:([/%+])(\\d+))?}");

    IdTemplate {
        Matcher m = Pattern.compile("\\{[^}]*}").matcher(pattern);
        while (m.find()) {
            if (!PLACEHOLDER.matcher(m.group()).matches()) {
                throw new IllegalArgumentException("unknown placeholder " + m.group() + " in '" + pattern
                        + "' (use {id}, {id/N}, {id%N} or {id+N})");
            }
            if (m.group().matches("\\{id[/%]0}")) {
                throw new IllegalArgumentException("division by zero in " + m.group());
            }
        }
    }

    String expand(int id) {
        Matcher m = PLACEHOLDER.matcher(pattern);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            long value = id;
            if (m.group(1) != null) {
                long n = Long.parseLong(m.group(2));
                value = switch (m.group(1)) {
                    case "/" -> id / n;
                    case "%" -> id % n;
                    default -> id + n;
                };
            }
            m.appendReplacement(out, Long.toString(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
