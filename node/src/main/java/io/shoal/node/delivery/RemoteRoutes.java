package io.shoal.node.delivery;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;

/**
 * The other nodes of a cluster, as this node's publish path sees them. Implemented by the cluster
 * module; {@link #NONE} for a node on its own. Every method may be called from any thread, often
 * under a client's route lock, so none blocks.
 */
public interface RemoteRoutes {

    /**
     * A client of this node subscribed with {@code key} (a topic filter, or {@code $share/group/filter});
     * told once per client and key, so the implementation counts.
     */
    void added(String key);

    /** The subscription of one client of this node with {@code key} went. */
    void removed(String key);

    /**
     * Sends {@code publication} once to every other node with a matching subscription, leaving out the
     * shared subscriptions already {@code taken} (given to a member here) and giving every other
     * matching group to one node only (then added to {@code taken}). Each node sent to expects a store
     * on {@code receipt}, if there is one, settled by that node's answer. Returns how many nodes it
     * went to.
     */
    int forward(Publication publication, GroupsTaken taken, StorageReceipt receipt);

    /**
     * A shared subscription's message that a departing member of this node left unacknowledged and no
     * other member here can take: to a member on another node. False if there is none. The node it
     * goes to expects a store on {@code receipt}, if there is one.
     */
    boolean redeliver(PendingDelivery delivery, StorageReceipt receipt);

    RemoteRoutes NONE = new RemoteRoutes() {
        @Override
        public void added(String key) {
        }

        @Override
        public void removed(String key) {
        }

        @Override
        public int forward(Publication publication, GroupsTaken taken, StorageReceipt receipt) {
            return 0;
        }

        @Override
        public boolean redeliver(PendingDelivery delivery, StorageReceipt receipt) {
            return false;
        }
    };
}
