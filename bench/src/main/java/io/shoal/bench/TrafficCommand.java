package io.shoal.bench;

import io.shoal.bench.report.TrafficResult;
import io.shoal.bench.scenario.Topology;
import io.shoal.bench.scenario.TrafficRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** fanin, fanout and pairs: the same run with a different topology. */
abstract class TrafficCommand implements Callable<Integer> {

    @Mixin
    TrafficOptions options;

    abstract Topology topology(String prefix);

    @Override
    public Integer call() throws Exception {
        List<TrafficResult> results = new ArrayList<>();
        for (int qos : options.qos) {
            BrokerOptions broker = options.broker;
            TrafficRun.Settings settings = new TrafficRun.Settings(broker.label(), broker.host, broker.port, qos,
                    options.payload, options.rate, options.warmup, options.duration, options.maxMessages,
                    options.clientOptions(), broker.threads, broker.brokerPid, options.subscriberHost(),
                    options.subscriberPort(), options.persistentSubscribers);
            results.add(new TrafficRun(topology("bench/" + qos), settings).run());
        }
        options.broker.report(results);
        return results.stream().anyMatch(r -> r.lost() > 0 && r.qos() > 0 || r.duplicates() > 0 && r.qos() == 2
                || r.connectionsClosed() > 0) ? 1 : 0;
    }

    @Command(name = "fanin", mixinStandardHelpOptions = true,
            description = "P publishers to one subscriber of a wildcard filter.")
    static final class FanIn extends TrafficCommand {
        @Option(names = "--publishers", description = "Publishers (default: ${DEFAULT-VALUE})")
        int publishers = 50;

        Topology topology(String prefix) {
            return new Topology.FanIn(prefix, publishers);
        }
    }

    @Command(name = "fanout", mixinStandardHelpOptions = true,
            description = "One publisher to S subscribers of one topic.")
    static final class FanOut extends TrafficCommand {
        @Option(names = "--subscribers", description = "Subscribers (default: ${DEFAULT-VALUE})")
        int subscribers = 100;

        Topology topology(String prefix) {
            return new Topology.FanOut(prefix, subscribers);
        }
    }

    @Command(name = "pairs", mixinStandardHelpOptions = true,
            description = "N publisher/subscriber pairs, each on its own topic.")
    static final class Pairs extends TrafficCommand {
        @Option(names = "--pairs", description = "Pairs (default: ${DEFAULT-VALUE})")
        int pairs = 500;

        Topology topology(String prefix) {
            return new Topology.Pairs(prefix, pairs);
        }
    }
}
