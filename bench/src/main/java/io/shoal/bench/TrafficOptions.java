package io.shoal.bench;

import io.shoal.bench.client.ClientOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;

/** Options of the traffic scenarios (fanin, fanout, pairs). */
public final class TrafficOptions {

    @Mixin
    BrokerOptions broker;

    @Option(names = "--qos", split = ",", description = "QoS levels to run, one run each (default: ${DEFAULT-VALUE})")
    List<Integer> qos = List.of(0, 1, 2);

    @Option(names = "--payload", description = "Payload size in bytes, at least 20 (default: ${DEFAULT-VALUE})")
    int payload = 64;

    @Option(names = "--rate", description = "Total offered messages per second; 0 = maximum sustainable (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--warmup", converter = DurationConverter.class, description = "Warm-up before measuring (default: 2s)")
    Duration warmup = Duration.ofSeconds(2);

    @Option(names = "--duration", converter = DurationConverter.class, description = "Measurement window (default: 10s)")
    Duration duration = Duration.ofSeconds(10);

    @Option(names = "--max-messages", description = "Upper bound of messages per publisher (default: ${DEFAULT-VALUE})")
    long maxMessages = 100_000_000L;

    @Option(names = "--inflight", description = "QoS 1/2 messages a publisher keeps unacknowledged (default: ${DEFAULT-VALUE})")
    int inflight = 100;

    @Option(names = "--subscriber-host", description = "Broker host of the subscribers, e.g. another node of a cluster (default: --host)")
    String subscriberHost;

    @Option(names = "--subscriber-port", description = "Broker port of the subscribers, e.g. another node of a cluster (default: --port)")
    Integer subscriberPort;

    @Option(names = "--persistent-subscribers", description = "Subscribers with persistent sessions, removed after each run (default: clean sessions)")
    boolean persistentSubscribers;

    String subscriberHost() {
        return subscriberHost != null ? subscriberHost : broker.host;
    }

    int subscriberPort() {
        return subscriberPort != null ? subscriberPort : broker.port;
    }

    ClientOptions clientOptions() {
        return new ClientOptions(broker.mqttVersion(), 60, inflight);
    }
}
