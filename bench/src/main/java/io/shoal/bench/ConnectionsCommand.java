package io.shoal.bench;

import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.scenario.ConnectionsRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Open C idle connections at a capped rate, hold them, close them; memory per connection.")
final class ConnectionsCommand implements Callable<Integer> {

    @Mixin
    BrokerOptions broker;

    @Option(names = "--count", description = "Connections to open (default: ${DEFAULT-VALUE})")
    int count = 10_000;

    @Option(names = "--connect-rate", description = "New connections per second at most; 0 = no cap (default: ${DEFAULT-VALUE})")
    double connectRate = 2_000;

    @Option(names = "--hold", converter = DurationConverter.class, description = "How long to hold them (default: 10s)")
    Duration hold = Duration.ofSeconds(10);

    @Override
    public Integer call() throws Exception {
        ConnectionsRun.Settings settings = new ConnectionsRun.Settings(broker.label(), broker.host, broker.port, count,
                connectRate, hold, new ClientOptions(broker.mqttVersion(), 300, 1), broker.threads, broker.brokerPid);
        var result = new ConnectionsRun(settings).run();
        broker.report(List.of(result));
        return result.failed() > 0 ? 1 : 0;
    }
}
