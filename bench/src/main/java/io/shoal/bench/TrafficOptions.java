package io.shoal.bench;

import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.Result;
import io.shoal.bench.report.ResultTable;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Options shared by the load scenarios. */
public final class TrafficOptions {

    @Option(names = "--host", description = "Broker host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker port (default: ${DEFAULT-VALUE})")
    int port = 1883;

    @Option(names = "--label", description = "Name of the broker in the report (default: host:port)")
    String label;

    @Option(names = "--qos", split = ",", description = "QoS levels to run, one run each (default: ${DEFAULT-VALUE})")
    List<Integer> qos = List.of(0, 1, 2);

    @Option(names = "--payload", description = "Payload size in bytes, at least 20 (default: ${DEFAULT-VALUE})")
    int payload = 64;

    @Option(names = "--rate", description = "Total offered messages per second; 0 = as fast as possible (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--warmup", converter = DurationConverter.class, description = "Warm-up before measuring (default: 2s)")
    Duration warmup = Duration.ofSeconds(2);

    @Option(names = "--duration", converter = DurationConverter.class, description = "Measurement window (default: 10s)")
    Duration duration = Duration.ofSeconds(10);

    @Option(names = "--max-messages", description = "Upper bound of messages per publisher (default: ${DEFAULT-VALUE})")
    long maxMessages = 100_000_000L;

    @Option(names = "--mqtt", description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE})")
    String mqtt = "3.1.1";

    @Option(names = "--inflight", description = "QoS 1/2 messages a publisher keeps unacknowledged (default: ${DEFAULT-VALUE})")
    int inflight = 100;

    @Option(names = "--threads", description = "Client event loop threads; 0 = two per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--broker-pid", description = "PID of the broker, for CPU and memory (default: the process listening on --port)")
    Long brokerPid;

    @Option(names = "--json", description = "Also write the results to this JSON file")
    Path json;

    String label() {
        return label != null ? label : host + ":" + port;
    }

    ClientOptions clientOptions() {
        return new ClientOptions(mqttVersion(mqtt), 60, inflight);
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
