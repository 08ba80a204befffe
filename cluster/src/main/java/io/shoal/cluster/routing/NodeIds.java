package io.shoal.cluster.routing;

import akka.cluster.UniqueAddress;

/**
 * A node's id in the routing table: its address and the uid of this incarnation, so a node that
 * restarts on the same host and port is a different id and its predecessor's routes can be removed
 * without touching its own.
 */
final class NodeIds {

    private NodeIds() {
    }

    static String of(UniqueAddress node) {
        return node.address() + "#" + node.longUid();
    }
}
