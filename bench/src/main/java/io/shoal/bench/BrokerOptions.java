package io.shoal.bench;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.report.Result;
import io.shoal.bench.report.ResultTable;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Which broker a scenario runs against, how clients speak to it, and where results go. */
public final class BrokerOptions {

    @Option(names = "--host", description = "Broker host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker port (default: ${DEFAULT-VALUE})")
    int port = 1883;

    @Option(names = "--label", description = "Name of the broker in the report (default: host:port)")
    String label;

    @Option(names = "--mqtt", description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE})")
    String mqtt = "3.1.1";

    @Option(names = "--threads", description = "Client event loop threads; 0 = two per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--broker-pid", description = "PID of the broker, for CPU and memory (default: the process listening on --port)")
    Long brokerPid;

    @Option(names = "--json", description = "Also write the results to this JSON file")
    Path json;

    String label() {
        return label != null ? label : host + ":" + port;
    }

    MqttVersion mqttVersion() {
        return mqttVersion(mqtt);
    }

    static MqttVersion mqttVersion(String version) {
        return switch (version) {
            case "3.1.1", "4" -> MqttVersion.MQTT_3_1_1;
            case "5", "5.0" -> MqttVersion.MQTT_5;
            default -> throw new IllegalArgumentException("--mqtt must be 3.1.1 or 5, not " + version);
        };
    }

    void report(List<? extends Result> results) throws Exception {
        ResultTable.print(results, System.out);
        if (json != null) {
            ResultTable.writeJson(results, json);
        }
    }
}
