package io.shoal.cluster.routing;

import akka.cluster.ddata.Key;
import akka.cluster.ddata.ORMultiMap;
import akka.cluster.ddata.ORMultiMapKey;

import java.util.ArrayList;
import java.util.List;

/**
 * The fixed set of top-level Distributed Data keys the routing table is split over, and which of
 * them holds a filter. Distributed Data replicates and gossips whole keys (and keeps every key in
 * memory on every node), so one key for all filters would not scale, and one key per filter would
 * exceed the number of top-level entries it is meant for.
 */
final class RouteBuckets {

    private static final String KEY_PREFIX = "shoal-routes-";

    private final List<Key<ORMultiMap<String, String>>> keys;

    RouteBuckets(int count) {
        List<Key<ORMultiMap<String, String>>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(ORMultiMapKey.create(KEY_PREFIX + i));
        }
        this.keys = List.copyOf(all);
    }

    int count() {
        return keys.size();
    }

    Key<ORMultiMap<String, String>> key(int bucket) {
        return keys.get(bucket);
    }

    /** Stable across nodes and JVM versions: String.hashCode is specified by the language. */
    int bucketOf(String filter) {
        int h = filter.hashCode();
        // Spread the bits: filters often differ only in their last characters.
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return Math.floorMod(h, keys.size());
    }

    /** The bucket of a key this table owns, or -1. */
    int bucketOf(Key<?> key) {
        String id = key.id();
        if (!id.startsWith(KEY_PREFIX)) {
            return -1;
        }
        return Integer.parseInt(id, KEY_PREFIX.length(), id.length(), 10);
    }
}
