package io.shoal.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar bench/target/shoal-bench.jar <command>}: load scenarios against any MQTT broker,
 * a device simulator, a side-by-side comparison of Shoal with peer brokers, and a measurement of
 * the cluster routing table.
 */
@Command(name = "shoal-bench", mixinStandardHelpOptions = true,
        subcommands = {TrafficCommand.FanIn.class, TrafficCommand.FanOut.class, TrafficCommand.Pairs.class,
                ConnectionsCommand.class, OfflineCommand.class, TakeoverCommand.class, SimulateCommand.class,
                io.shoal.bench.compare.CompareCommand.class, io.shoal.bench.routes.RoutesCommand.class,
                io.shoal.bench.routes.RouteNodeCommand.class})
public final class BenchMain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
