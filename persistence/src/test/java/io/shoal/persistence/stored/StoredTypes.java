package io.shoal.persistence.stored;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import io.shoal.persistence.Stored;
import io.shoal.persistence.StoredFormatMigration;

import java.util.Map;
import java.util.TreeMap;

/** The stored names and format version as the main code declares them. */
final class StoredTypes {

    static final int CURRENT_VERSION = new StoredFormatMigration().currentVersion();

    private StoredTypes() {
    }

    /** The classes by stored name, from {@link Stored}'s registry. */
    static Map<String, Class<?>> byName() {
        Map<String, Class<?>> types = new TreeMap<>();
        for (JsonSubTypes.Type type : Stored.class.getAnnotation(JsonSubTypes.class).value()) {
            types.put(type.name(), type.value());
        }
        return types;
    }
}
