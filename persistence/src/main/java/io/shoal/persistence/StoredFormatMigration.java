package io.shoal.persistence;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The version of the stored formats, and the steps that bring older stored data up to it. Akka writes
 * the version into the manifest of everything it stores ({@code "#1"}), and refuses data of a later
 * version than it knows instead of misreading it (a node rolled back after a format change).
 *
 * <p>Akka keys migrations on the deserialization type, {@link Stored}, so there is one version for
 * all stored types: a change to one type raises it, and its step in {@link #transform} changes only
 * the JSON trees whose {@code "@type"} is that type. See docs/persistence.md.
 */
public final class StoredFormatMigration extends JacksonMigration {

    /**
     * Version 2 added {@code routedBy}, {@code attachedWill} and {@code attachedExpirySeconds} to
     * {@code session-snapshot} (and the types pending-replaced, routed-by, attached). Version 3 added
     * {@code gateway} and {@code connectionId} to {@code attached}, and {@code attachedGateway} and
     * {@code attachedConnectionId} to {@code session-snapshot}.
     */
    @Override
    public int currentVersion() {
        return 3;
    }

    /** Called only for data older than {@link #currentVersion()}; version 1 is the first. */
    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        if (fromVersion < 1) {
            throw new IllegalArgumentException("There is no stored format version " + fromVersion + " before version 1");
        }
        // 1 -> 2 and 2 -> 3: data without the new fields reads them as null or 0 ("not known"),
        // which is what it meant.
        return json;
    }
}
