package io.shoal.node.delivery;

import java.util.HashSet;
import java.util.Set;

/**
 * The shared subscriptions ("group/filter") one message has been given to so far, so that each group
 * gets it once across this node and the cluster. Allocates only when a group is taken.
 */
public final class GroupsTaken {

    private Set<String> groups;

    public boolean contains(String groupId) {
        return groups != null && groups.contains(groupId);
    }

    public void add(String groupId) {
        if (groups == null) {
            groups = new HashSet<>(4);
        }
        groups.add(groupId);
    }
}
