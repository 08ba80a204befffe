package io.shoal.bench;

import io.shoal.bench.client.ClientFleet;
import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.simulator.DeviceGroup;
import io.shoal.bench.simulator.Simulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Play the devices described in a JSON or HOCON file (see bench/building.conf).")
final class SimulateCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Simulation file")
    File file;

    @Option(names = "--host", description = "Broker host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker port (default: ${DEFAULT-VALUE})")
    int port = 1883;

    @Option(names = "--devices", description = "Scale the file's groups to about this many devices in total")
    Integer devices;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "How long to run; 0 = until stopped with Ctrl-C (default: 0)")
    Duration duration = Duration.ZERO;

    @Option(names = "--connect-rate", description = "Devices coming online per second (default: ${DEFAULT-VALUE})")
    double connectRate = 500;

    @Option(names = "--mqtt", description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE})")
    String mqtt = "3.1.1";

    @Option(names = "--seed", description = "Random seed, for repeatable readings (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Override
    public Integer call() throws Exception {
        var groups = DeviceGroup.load(file);
        if (devices != null) {
            groups = Simulation.scale(groups, devices);
        }
        Simulation simulation = new Simulation(groups, seed);
        System.out.printf("simulating %d devices from %s against %s:%d%n", simulation.size(), file, host, port);
        try (ClientFleet fleet = new ClientFleet(host, port, 0, 1)) {
            Simulation.Summary summary = simulation.run(fleet,
                    new ClientOptions(BrokerOptions.mqttVersion(mqtt), 60, 100), connectRate, duration, System.out);
            System.out.printf("done: %d devices, %d connected, %d failed, %,d readings published, %,d skipped%n",
                    summary.devices(), summary.connected(), summary.failed(), summary.published(), summary.skipped());
            return summary.failed() > 0 ? 1 : 0;
        }
    }
}
