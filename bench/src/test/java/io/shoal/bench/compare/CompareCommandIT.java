package io.shoal.bench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One small comparison end to end: the packaged Shoal jar and Moquette's peer jar (and Mosquitto,
 * where installed) started as processes, the same runs against each, ratios printed.
 */
class CompareCommandIT {

    @Test
    void comparesShoalWithItsPeersInOneRun(@TempDir Path work) throws Exception {
        List<String> brokers = new ArrayList<>(List.of("shoal", "moquette"));
        if (new File("/usr/sbin/mosquitto").canExecute()) {
            brokers.add("mosquitto");
        }
        Path json = work.resolve("results.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(out, true));
            exit = new CommandLine(new CompareCommand()).execute(
                    "--brokers", String.join(",", brokers),
                    "--scenarios", "pairs,connections", "--qos", "1", "--rates", "500",
                    "--pairs", "5", "--warmup", "300ms", "--duration", "1s",
                    "--connections", "200", "--connect-rate", "0", "--hold", "300ms",
                    "--java-opts", "-Xmx256m", "--port", "19983",
                    "--shoal-jar", "../deploy/target/shoal.jar",
                    "--moquette-jar", "peers/moquette/target/peer-moquette.jar",
                    "--work-dir", work.toString(), "--json", json.toString());
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString();
        assertEquals(0, exit, printed);
        assertTrue(printed.contains("Ratios Shoal/peer"), printed);
        for (String peer : brokers.subList(1, brokers.size())) {
            assertTrue(printed.contains(peer + " delivered"), printed);
        }

        JsonNode results = new ObjectMapper().readTree(json.toFile());
        assertEquals(brokers.size() * 2, results.size(), "a pairs run and a connections run per broker");
        for (JsonNode r : results) {
            if (r.has("scenario")) {
                assertEquals(0, r.get("lost").asLong(), r.toString());
                assertTrue(r.get("deliveredPerSecond").asDouble() > 0, r.toString());
                assertTrue(r.get("brokerCpuCores").isNumber(), "the broker process was observed: " + r);
            } else {
                assertEquals(200, r.get("connected").asInt(), r.toString());
            }
        }
    }
}
