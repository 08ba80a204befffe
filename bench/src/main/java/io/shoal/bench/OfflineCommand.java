package io.shoal.bench;

import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.OfflineResult;
import io.shoal.bench.scenario.OfflineRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "offline", mixinStandardHelpOptions = true,
        description = {"QoS 1 messages for offline persistent sessions: a burst of M messages acknowledged once"
                + " stored for S offline subscribers, then the subscribers reconnect and drain their queues.",
                "With --reconnect=false and then --only-reconnect the halves run apart, e.g. around a broker restart."})
final class OfflineCommand implements Callable<Integer> {

    @Mixin
    BrokerOptions broker;

    @Option(names = "--subscribers", description = "Persistent sessions (default: ${DEFAULT-VALUE})")
    int subscribers = 100;

    @Option(names = "--messages", description = "QoS 1 messages published in all (default: ${DEFAULT-VALUE})")
    long messages = 10_000;

    @Option(names = "--publishers", description = "Publishers sharing the messages (default: ${DEFAULT-VALUE})")
    int publishers = 4;

    @Option(names = "--inflight", description = "Messages a publisher keeps unacknowledged (default: ${DEFAULT-VALUE})")
    int inflight = 100;

    @Option(names = "--shared-topic", description = "Every message to every subscriber, instead of each message to one subscriber in turn")
    boolean sharedTopic;

    @Option(names = "--payload", description = "Payload size in bytes, at least 20 (default: ${DEFAULT-VALUE})")
    int payload = 64;

    @Option(names = "--reconnect", arity = "1", description = "Reconnect and drain after the burst (default: ${DEFAULT-VALUE})")
    boolean reconnect = true;

    @Option(names = "--only-reconnect", description = "Skip the burst: reconnect sessions an earlier --reconnect=false run filled, with the same counts")
    boolean onlyReconnect;

    @Option(names = "--offline-for", converter = DurationConverter.class, description = "Time offline between burst and reconnect, e.g. beyond the broker's passivation (default: 0s)")
    Duration offlineFor = Duration.ZERO;

    @Option(names = "--timeout", converter = DurationConverter.class, description = "Limit of the burst and of the drain, each (default: 120s)")
    Duration timeout = Duration.ofSeconds(120);

    @Option(names = "--client-prefix", description = "Client id prefix; subscribers are <prefix>sub-<i> (default: ${DEFAULT-VALUE})")
    String clientPrefix = "offline-";

    @Override
    public Integer call() throws Exception {
        if (onlyReconnect && !reconnect) {
            throw new IllegalArgumentException("--only-reconnect with --reconnect=false does nothing");
        }
        OfflineRun.Settings settings = new OfflineRun.Settings(broker.label(), broker.host, broker.port, subscribers,
                publishers, messages, sharedTopic, payload, !onlyReconnect, reconnect, offlineFor, timeout, clientPrefix,
                new ClientOptions(broker.mqttVersion(), 60, inflight), broker.threads);
        OfflineResult result = new OfflineRun(settings).run();
        broker.report(List.of(result));
        return result.failed() ? 1 : 0;
    }
}
