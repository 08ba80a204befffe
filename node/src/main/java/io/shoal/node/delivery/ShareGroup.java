package io.shoal.node.delivery;

import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The members of one shared subscription ($share/{name}/{filter}) on this node. Each message goes
 * to one member, preferring members that are online; an offline member's session only gets one when
 * no member is online.
 */
public final class ShareGroup {

    private final String name;
    private final String filter;
    private final Map<SessionRoute, Subscription> members = new ConcurrentHashMap<>();
    private final AtomicInteger turn = new AtomicInteger();
    private volatile SessionRoute last;

    ShareGroup(String name, String filter) {
        this.name = name;
        this.filter = filter;
    }

    /** "name/filter", as carried by deliveries that came through this group. */
    public String id() {
        return name + "/" + filter;
    }

    void add(SessionRoute member, Subscription subscription) {
        members.put(member, subscription);
    }

    boolean hasOnlineMember() {
        for (SessionRoute member : members.keySet()) {
            if (member.online()) {
                return true;
            }
        }
        return false;
    }

    /** Returns true when the group is left empty. */
    boolean remove(SessionRoute member) {
        members.remove(member);
        return members.isEmpty();
    }

    /** The member to send {@code publication} to (never {@code excluded}), with its subscription; null if none. */
    Map.Entry<SessionRoute, Subscription> pick(Publication publication, ShareStrategy strategy, SessionRoute excluded) {
        List<Map.Entry<SessionRoute, Subscription>> candidates = candidates(excluded, true);
        if (candidates.isEmpty()) {
            candidates = candidates(excluded, false);
        }
        if (candidates.isEmpty()) {
            return null;
        }
        int n = candidates.size();
        Map.Entry<SessionRoute, Subscription> chosen = switch (strategy) {
            case ROUND_ROBIN -> candidates.get(Math.floorMod(turn.getAndIncrement(), n));
            case RANDOM -> candidates.get(ThreadLocalRandom.current().nextInt(n));
            case STICKY -> candidates.stream().filter(e -> e.getKey() == last).findFirst().orElse(candidates.get(0));
            case HASH_TOPIC -> candidates.get(Math.floorMod(publication.topic().hashCode(), n));
            case HASH_CLIENT_ID -> candidates.get(Math.floorMod(String.valueOf(publication.publisherId()).hashCode(), n));
        };
        last = chosen.getKey();
        return chosen;
    }

    /** Members in a stable order (by client id), so hashing picks the same one while the group is unchanged. */
    private List<Map.Entry<SessionRoute, Subscription>> candidates(SessionRoute excluded, boolean onlineOnly) {
        List<Map.Entry<SessionRoute, Subscription>> list = new ArrayList<>(members.size());
        for (Map.Entry<SessionRoute, Subscription> e : members.entrySet()) {
            if (e.getKey() != excluded && (!onlineOnly || e.getKey().online())) {
                list.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        list.sort((a, b) -> a.getKey().clientId().compareTo(b.getKey().clientId()));
        return list;
    }
}
