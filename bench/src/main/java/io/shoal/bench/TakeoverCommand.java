package io.shoal.bench;

import io.shoal.bench.client.ClientOptions;
import io.shoal.bench.report.TakeoverResult;
import io.shoal.bench.scenario.TakeoverRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "takeover", mixinStandardHelpOptions = true,
        description = {"Persistent sessions moving between nodes: S clients with persistent sessions and M QoS 1"
                + " messages each in flight (or, with --offline, queued) on node A (--host/--port) connect again"
                + " on node B (--to-host/--to-port).",
                "Measures CONNECT to CONNACK on B, until the old connection is closed, until the last of the"
                + " M messages arrives on B, and how long a message published at the CONNACK takes to arrive."})
final class TakeoverCommand implements Callable<Integer> {

    @Mixin
    BrokerOptions broker;

    @Option(names = "--to-host", description = "Host of the node the sessions move to (default: --host)")
    String toHost;

    @Option(names = "--to-port", description = "Port of the node the sessions move to (default: --port, a takeover on the same node)")
    Integer toPort;

    @Option(names = "--publisher-host", description = "Host of the publisher's node (default: --host)")
    String publisherHost;

    @Option(names = "--publisher-port", description = "Port of the publisher's node (default: --port)")
    Integer publisherPort;

    @Option(names = "--sessions", description = "Persistent sessions that move (default: ${DEFAULT-VALUE})")
    int sessions = 200;

    @Option(names = "--concurrency", description = "Takeovers under way at once; 1 = one after the other (default: ${DEFAULT-VALUE})")
    int concurrency = 1;

    @Option(names = "--messages", description = "QoS 1 messages each session has in flight or queued when it moves (default: ${DEFAULT-VALUE})")
    int messages = 10;

    @Option(names = "--offline", description = "Clients disconnect before their messages are published and resume on the other node (default: a live takeover)")
    boolean offline;

    @Option(names = "--payload", description = "Payload size in bytes, at least 20 (default: ${DEFAULT-VALUE})")
    int payload = 64;

    @Option(names = "--inflight", description = "QoS 1 messages the publisher keeps unacknowledged (default: ${DEFAULT-VALUE})")
    int inflight = 1000;

    @Option(names = "--timeout", converter = DurationConverter.class, description = "Limit of each phase and of each takeover (default: 30s)")
    Duration timeout = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        InetSocketAddress from = new InetSocketAddress(broker.host, broker.port);
        InetSocketAddress to = new InetSocketAddress(toHost != null ? toHost : broker.host,
                toPort != null ? toPort : broker.port);
        InetSocketAddress publisher = new InetSocketAddress(publisherHost != null ? publisherHost : broker.host,
                publisherPort != null ? publisherPort : broker.port);
        String label = broker.label != null ? broker.label : from.getPort() + "->" + to.getPort();
        TakeoverRun.Settings settings = new TakeoverRun.Settings(label, from, to, publisher, sessions, concurrency,
                messages, offline, payload, timeout, new ClientOptions(broker.mqttVersion(), 60, inflight),
                broker.threads);
        TakeoverResult result = new TakeoverRun(settings).run();
        broker.report(List.of(result));
        return result.failedAny() ? 1 : 0;
    }
}
