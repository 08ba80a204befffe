package io.shoal.bench.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the nodes logged (warnings, errors, Distributed Data's notes on entry sizes), grouped by
 * message with numbers blanked, so that one kind of problem is one line of the report.
 *
 * @param counts kind of message -> how many times, over all nodes
 * @param first  kind -> its first occurrence, numbers and all
 */
record LogFindings(Map<String, Integer> counts, Map<String, String> first) {

    private static final Pattern LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR|INFO) +\\S+ - (.*)$");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    static LogFindings scan(List<Path> logs) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, String> first = new LinkedHashMap<>();
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            for (String line : Files.readAllLines(log)) {
                var m = LINE.matcher(line);
                if (m.matches()) {
                    String kind = m.group(1) + " " + NUMBER.matcher(m.group(2)).replaceAll("#");
                    kind = kind.length() > 160 ? kind.substring(0, 160) + "..." : kind;
                    counts.merge(kind, 1, Integer::sum);
                    first.putIfAbsent(kind, line);
                }
            }
        }
        return new LogFindings(counts, first);
    }
}
