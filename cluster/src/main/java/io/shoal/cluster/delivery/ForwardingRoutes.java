package io.shoal.cluster.delivery;

import akka.actor.typed.ActorRef;
import io.shoal.cluster.NodeGateway;
import io.shoal.cluster.routing.RoutingTable;
import io.shoal.node.delivery.GroupsTaken;
import io.shoal.node.delivery.RemoteRoutes;
import io.shoal.node.delivery.ShareStrategy;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.metrics.Counter;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The publish path's view of the other nodes: feeds the routing table with this node's
 * subscriptions and sends each message once to every node with matching subscribers, over Akka
 * remoting to that node's {@link NodeGateway}. Messages from one publisher (one thread) to one node
 * travel one ordered connection, so their order is kept.
 */
public final class ForwardingRoutes implements RemoteRoutes {

    private final RoutingTable table;
    private final Peers peers;
    private final AwaitedReceipts receipts;
    private final ShareStrategy strategy;
    private final BrokerMetrics metrics;
    private final AtomicInteger turn = new AtomicInteger();

    public ForwardingRoutes(RoutingTable table, Peers peers, AwaitedReceipts receipts, ShareStrategy strategy,
                            BrokerMetrics metrics) {
        this.table = table;
        this.peers = peers;
        this.receipts = receipts;
        this.strategy = strategy;
        this.metrics = metrics;
    }

    @Override
    public void added(String key) {
        table.subscribed(key);
    }

    @Override
    public void removed(String key) {
        table.unsubscribed(key);
    }

    @Override
    public int forward(Publication publication, GroupsTaken taken, StorageReceipt receipt) {
        Set<String> subscriberNodes = table.nodesFor(publication.topic());
        Map<String, List<String>> groupsByNode = new HashMap<>(0);
        table.matchGroups(publication.topic(), (group, nodes) -> {
            if (!taken.contains(group)) {
                String node = pick(nodes, publication);
                if (node != null) {
                    taken.add(group);
                    groupsByNode.computeIfAbsent(node, n -> new ArrayList<>(2)).add(group);
                }
            }
        });
        int sent = 0;
        for (String node : subscriberNodes) {
            if (send(node, publication, true, groupsByNode.getOrDefault(node, List.of()), receipt)) {
                sent++;
            }
        }
        for (Map.Entry<String, List<String>> node : groupsByNode.entrySet()) {
            if (!subscriberNodes.contains(node.getKey()) && send(node.getKey(), publication, false, node.getValue(), receipt)) {
                sent++;
            }
        }
        return sent;
    }

    @Override
    public boolean redeliver(PendingDelivery delivery, StorageReceipt receipt) {
        String node = pick(table.nodesOfGroup(delivery.shareGroup()), delivery.publication());
        return node != null && send(node, delivery.publication(), false, List.of(delivery.shareGroup()), receipt);
    }

    private boolean send(String node, Publication publication, boolean toSubscribers, List<String> groups,
                         StorageReceipt receipt) {
        ActorRef<NodeGateway.Command> gateway = peers.gateway(node);
        if (gateway == null) {
            metrics.increment(Counter.DROPPED_NO_PEER);
            if (receipt != null && publication.qos() > 0) {
                // Persistent sessions there (or ones it routed for, not yet taken over) would miss it:
                // its publisher must not be told it is safe, and sends it again.
                receipt.expectStore();
                receipt.failed();
            }
            return false;
        }
        ReceiptRef awaited = null;
        if (receipt != null && publication.qos() > 0) {
            receipt.expectStore();
            awaited = receipts.await(receipt);
        }
        gateway.tell(new NodeGateway.Forward(publication, toSubscribers, groups, awaited));
        metrics.increment(Counter.MESSAGES_FORWARDED);
        return true;
    }

    /** One of the other nodes with members of a group that can be reached, by the configured strategy; null if none. */
    private String pick(Set<String> nodes, Publication publication) {
        List<String> candidates = new ArrayList<>(nodes.size());
        for (String node : nodes) {
            if (!node.equals(table.selfId()) && peers.gateway(node) != null) {
                candidates.add(node);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        candidates.sort(null);
        int n = candidates.size();
        return candidates.get(switch (strategy) {
            case ROUND_ROBIN -> Math.floorMod(turn.getAndIncrement(), n);
            case RANDOM -> ThreadLocalRandom.current().nextInt(n);
            case STICKY -> 0;
            case HASH_TOPIC -> Math.floorMod(publication.topic().hashCode(), n);
            case HASH_CLIENT_ID -> Math.floorMod(String.valueOf(publication.publisherId()).hashCode(), n);
        });
    }
}
