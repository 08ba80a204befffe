package io.shoal.node.delivery;

import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.StorageReceipt;
import io.shoal.node.session.Subscription;
import io.shoal.node.topic.SubscriptionIndex;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared subscriptions of this node: groups indexed by their filter, one delivery per group per
 * message. Across a cluster, a group whose members are on several nodes gets each message on one
 * node only: here if a member is online here, else on a node that has members (see {@link RemoteRoutes}).
 */
public final class SharedSubscriptions {

    private final SubscriptionIndex<ShareGroup, ShareGroup> index = new SubscriptionIndex<>();
    private final Map<String, ShareGroup> groups = new ConcurrentHashMap<>();
    private final ShareStrategy strategy;
    private final RemoteRoutes remote;

    /** @param remote where a departing member's messages go when no member here can take them */
    public SharedSubscriptions(ShareStrategy strategy, RemoteRoutes remote) {
        this.strategy = strategy;
        this.remote = remote;
    }

    /** Called under the member's route lock. */
    void join(SessionRoute member, Subscription subscription) {
        synchronized (groups) {
            ShareGroup group = groups.computeIfAbsent(subscription.shareGroup() + "/" + subscription.filter(),
                    id -> new ShareGroup(subscription.shareGroup(), subscription.filter()));
            group.add(member, subscription);
            index.put(subscription.filter(), group, group);
        }
    }

    /** Called under the member's route lock. */
    void leave(SessionRoute member, Subscription subscription) {
        synchronized (groups) {
            String id = subscription.shareGroup() + "/" + subscription.filter();
            ShareGroup group = groups.get(id);
            if (group != null && group.remove(member)) {
                groups.remove(id);
                index.remove(subscription.filter(), group);
            }
        }
    }

    /**
     * Sends {@code publication} to one member of every matching group not in {@code taken}, and adds
     * each group it served to {@code taken}. With {@code onlineOnly} only groups with a member online
     * here are served (a member elsewhere in the cluster is preferred over an offline one here).
     * Returns how many groups it served.
     */
    int publish(Publication publication, StorageReceipt receipt, GroupsTaken taken, boolean onlineOnly) {
        if (index.size() == 0) {
            return 0;
        }
        int[] delivered = {0};
        index.matchFilters(publication.topic(), matched -> matched.keySet().forEach(group -> {
            if (!taken.contains(group.id()) && (!onlineOnly || group.hasOnlineMember())
                    && dispatch(group, publication, null, receipt)) {
                taken.add(group.id());
                delivered[0]++;
            }
        }));
        return delivered[0];
    }

    /** A message another node assigned to this node's members of one group; false if there are none any more. */
    boolean publishToGroup(String groupId, Publication publication, StorageReceipt receipt) {
        ShareGroup group = groups.get(groupId);
        return group != null && dispatch(group, publication, null, receipt);
    }

    /**
     * A member left before acknowledging a message of its group: send it to another member, here or
     * on another node. Returns false if the group has no other member (the message then stays with
     * the leaver). {@code receipt}, if its publisher still waits for the message, then waits for the
     * member it went to.
     */
    public boolean redeliver(PendingDelivery delivery, SessionRoute leaving, StorageReceipt receipt) {
        ShareGroup group = groups.get(delivery.shareGroup());
        return group != null && dispatch(group, delivery.publication(), leaving, receipt)
                || remote.redeliver(delivery, receipt);
    }

    private boolean dispatch(ShareGroup group, Publication publication, SessionRoute excluded,
                             StorageReceipt receipt) {
        Map.Entry<SessionRoute, Subscription> member = group.pick(publication, strategy, excluded);
        if (member == null) {
            return false;
        }
        Subscription s = member.getValue();
        member.getKey().deliver(PendingDelivery.queued(publication, publication.deliveryQos(s.qos()), false,
                s.identifier() > 0 ? java.util.List.of(s.identifier()) : java.util.List.of(), group.id()), receipt);
        return true;
    }
}
