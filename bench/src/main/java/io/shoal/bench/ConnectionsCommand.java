package io.shoal.bench;

import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.ResultTable;
import io.shoal.bench.scenario.ConnectionsRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Open C idle connections at a capped rate, hold them, close them; memory per connection.")
final class ConnectionsCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Broker host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker port (default: ${DEFAULT-VALUE})")
    int port = 1883;

    @Option(names = "--label", description = "Name of the broker in the report")
    String label;

    @Option(names = "--count", description = "Connections to open (default: ${DEFAULT-VALUE})")
    int count = 10_000;

    @Option(names = "--connect-rate", description = "New connections per second at most; 0 = no cap (default: ${DEFAULT-VALUE})")
    double connectRate = 2_000;

    @Option(names = "--hold", converter = DurationConverter.class, description = "How long to hold them (default: 10s)")
    Duration hold = Duration.ofSeconds(10);

    @Option(names = "--mqtt", description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE})")
    String mqtt = "3.1.1";

    @Option(names = "--threads", description = "Client event loop threads; 0 = two per core")
    int threads;

    @Option(names = "--broker-pid", description = "PID of the broker (default: the process listening on --port)")
    Long brokerPid;

    @Option(names = "--json", description = "Also write the result to this JSON file")
    Path json;

    @Override
    public Integer call() throws Exception {
        ConnectionsRun.Settings settings = new ConnectionsRun.Settings(label != null ? label : host + ":" + port, host,
                port, count, connectRate, hold, new ClientOptions(TrafficOptions.mqttVersion(mqtt), 300, 1), threads,
                brokerPid);
        var result = new ConnectionsRun(settings).run();
        ResultTable.print(List.of(result), System.out);
        if (json != null) {
            ResultTable.writeJson(List.of(result), json);
        }
        return result.failed() > 0 ? 1 : 0;
    }
}
