package io.shoal.persistence.stored;

import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Subscription;
import io.shoal.node.session.UserProperty;
import io.shoal.node.session.Will;
import io.shoal.persistence.Stored;
import io.shoal.persistence.retained.StoredRetainedMessage;
import io.shoal.persistence.session.SessionEvent;
import io.shoal.persistence.session.SessionEvent.MessageQueued;
import io.shoal.persistence.session.SessionEvent.SessionCleared;
import io.shoal.persistence.session.SessionEvent.SessionOpened;
import io.shoal.persistence.session.SessionEvent.SessionResumed;
import io.shoal.persistence.session.SessionEvent.SessionSuspended;
import io.shoal.persistence.session.SessionEvent.Subscribed;
import io.shoal.persistence.session.SessionEvent.Unsubscribed;
import io.shoal.persistence.session.SessionEvent.WillPublished;
import io.shoal.persistence.session.SessionSnapshot;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One value of each stored type, by stored name, for each format version: what the golden files of
 * that version were written from, and so what they must still deserialize to.
 *
 * <p>The values are spelled out here rather than taken from other test fixtures, so that a golden
 * expectation only changes on purpose. Together the values of the current version give every field
 * of every stored record a non-default value, so that a field renamed without a migration is noticed.
 */
final class GoldenSamples {

    /** An MQTT 5 subscription with every option, and a shared one. */
    private static final List<Subscription> SUBSCRIPTIONS = List.of(
            new Subscription("sensors/+/temperature", 2, true, true, 2, 268_435_455, null),
            new Subscription("alerts/#", 1, false, false, 1, 7, "operators"));

    /** Every MQTT 5 message property, non-ASCII text and every kind of byte. */
    private static final Publication MQTT5_PUBLICATION = new Publication("capteurs/température/😀",
            new byte[] {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF},
            2, true,
            new MessageProperties(1, 1_700_000_060_000L, "text/plain; charset=utf-8", "replies/sensor-7",
                    new byte[] {(byte) 0xFF, 0, 42},
                    List.of(new UserProperty("origin", "sensor-7"), new UserProperty("ünï", "😀"))),
            "sensor-7");

    /** In flight and released through a shared subscription, then one still queued. */
    private static final List<PendingDelivery> PENDING = List.of(
            PendingDelivery.queued(MQTT5_PUBLICATION, 2, false, List.of(7), "operators/alerts/#")
                    .sentAs(65_535).asReleased(),
            PendingDelivery.queued(new Publication("alerts/fire", "smoke".getBytes(StandardCharsets.UTF_8), 1, false),
                    1, false));

    /** An MQTT 5 will with a delay and a message expiry. */
    private static final Will WILL = new Will(new Publication("clients/sensor-7/status",
            "offline".getBytes(StandardCharsets.UTF_8), 1, true,
            new MessageProperties(1, 0, "text/plain", "clients/sensor-7/ack", new byte[] {1},
                    List.of(new UserProperty("reason", "lost"))),
            "sensor-7"), 30, 86_400);

    /** A node gateway's actor reference as Akka serializes it. */
    private static final String GATEWAY = "akka://shoal@10.0.0.8:25520/system/node-gateway#1861433391";

    private GoldenSamples() {
    }

    static Map<String, Stored> ofVersion(int version) {
        return switch (version) {
            case 1 -> version1();
            case 2 -> version2();
            case 3 -> version3();
            default -> throw new IllegalArgumentException("No golden samples for stored format version " + version);
        };
    }

    /** Version 3: the connection attached is known by its node's gateway and its id there. */
    private static Map<String, Stored> version3() {
        Map<String, Stored> samples = new LinkedHashMap<>(version2());
        samples.put("attached", new SessionEvent.Attached("akka://shoal@10.0.0.8:25520#7734", WILL, 86_400,
                GATEWAY, 42));
        samples.put("session-snapshot", new SessionSnapshot(true, SUBSCRIPTIONS, PENDING, ordered(9, 10),
                1_700_003_600_003L, WILL, 1_700_000_030_003L, "akka://shoal@10.0.0.7:25520#-4823749234", WILL,
                86_400L, GATEWAY, 42));
        return samples;
    }

    /** Version 2: a snapshot knows the node routing the session and the connection attached; new types pending-replaced, routed-by, attached. */
    private static Map<String, Stored> version2() {
        Map<String, Stored> samples = new LinkedHashMap<>(version1());
        samples.put("pending-replaced", new SessionEvent.PendingReplaced(PENDING));
        samples.put("routed-by", new SessionEvent.RoutedBy("akka://shoal@10.0.0.7:25520#-4823749234"));
        samples.put("attached", new SessionEvent.Attached("akka://shoal@10.0.0.8:25520#7734", WILL, 86_400,
                null, 0));
        samples.put("session-snapshot", new SessionSnapshot(true, SUBSCRIPTIONS, PENDING, ordered(9, 10),
                1_700_003_600_003L, WILL, 1_700_000_030_003L, "akka://shoal@10.0.0.7:25520#-4823749234", WILL,
                86_400L, null, 0));
        return samples;
    }

    /*
     * When a format change raises the version: add version<N>() with values that use the change, and
     * adjust the older versions to what their files deserialize to after the migration.
     */
    private static Map<String, Stored> version1() {
        Map<String, Stored> samples = new LinkedHashMap<>();
        samples.put("session-opened", new SessionOpened(1_700_000_000_001L));
        samples.put("session-resumed", new SessionResumed(1_700_000_000_002L));
        samples.put("subscribed", new Subscribed(SUBSCRIPTIONS));
        samples.put("unsubscribed", new Unsubscribed(List.of("sensors/+/temperature", "$share/operators/alerts/#")));
        samples.put("message-queued", new MessageQueued(PendingDelivery.queued(MQTT5_PUBLICATION, 1, true,
                List.of(7, 268_435_455), "operators/alerts/#")));
        samples.put("session-suspended", new SessionSuspended(PENDING, ordered(3, 65_535), 1_700_000_000_003L, 3600,
                WILL));
        samples.put("will-published", new WillPublished(1_700_000_000_004L));
        samples.put("session-cleared", new SessionCleared(1_700_000_000_005L));
        samples.put("session-snapshot", new SessionSnapshot(true, SUBSCRIPTIONS, PENDING, ordered(9, 10),
                1_700_003_600_003L, WILL, 1_700_000_030_003L, null, null, null, null, 0));
        samples.put("retained-message", new StoredRetainedMessage(MQTT5_PUBLICATION));
        return samples;
    }

    /** A set that iterates in order (unlike {@code Set.of}), so that the writer's bytes are reproducible. */
    private static Set<Integer> ordered(Integer... elements) {
        return new TreeSet<>(List.of(elements));
    }
}
