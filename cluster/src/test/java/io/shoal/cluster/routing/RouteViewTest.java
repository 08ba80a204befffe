package io.shoal.cluster.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteViewTest {

    private final RouteView view = new RouteView("self", 4);
    private final List<String> added = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();

    @Test
    void appliesABucketsNewStateAsADiff() {
        apply(Map.of(), Map.of("n1", Set.of("a/+", "b/#"), "self", Set.of("a/+")));
        assertEquals(Set.of("a/+@n1", "b/#@n1", "a/+@self"), Set.copyOf(added));
        assertEquals(Set.of("n1"), view.remoteNodesFor("a/x"), "this node is never its own remote");
        assertEquals(Set.of("n1"), view.remoteNodesFor("b"));
        assertEquals(3, view.entries(1));

        added.clear();
        apply(Map.of("n1", Set.of("a/+", "b/#"), "self", Set.of("a/+")),
                Map.of("n1", Set.of("b/#"), "n2", Set.of("a/x")));
        assertEquals(List.of("a/x@n2"), added);
        assertEquals(Set.of("a/+@n1", "a/+@self"), Set.copyOf(removed));
        assertEquals(Set.of("n2"), view.remoteNodesFor("a/x"));
        assertTrue(view.remoteNodesFor("a/y").isEmpty());
        assertEquals(2, view.entries(1));
    }

    @Test
    void bucketsAreStableAcrossNodesAndReleases() {
        // Every node must put a filter in the same bucket: this pins the function.
        RouteBuckets buckets = new RouteBuckets(256);
        assertEquals(buckets.bucketOf("sensors/+/temp"), new RouteBuckets(256).bucketOf("sensors/+/temp"));
        assertEquals(71, buckets.bucketOf("sensors/+/temp"));
        assertEquals(7, buckets.bucketOf(buckets.key(7)));
    }

    private void apply(Map<String, Set<String>> before, Map<String, Set<String>> after) {
        view.apply(1, before, after, (f, n) -> added.add(f + "@" + n), (f, n) -> removed.add(f + "@" + n));
    }
}
