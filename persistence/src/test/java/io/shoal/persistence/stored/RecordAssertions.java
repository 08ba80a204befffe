package io.shoal.persistence.stored;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Assertions over every component of nested records, found by reflection so that a field added later
 * is covered without anyone having to remember it here.
 */
final class RecordAssertions {

    /** Components the stored formats leave out (StoredFormatModule): read back as their default. */
    private static final Set<String> NOT_STORED = Set.of("Publication.id");

    private RecordAssertions() {
    }

    /** {@code actual} has the same content as {@code expected}, byte arrays and lists element by element. */
    static void assertSameContent(Object expected, Object actual, String path) {
        if (expected == null) {
            assertNull(actual, path);
        } else if (expected.getClass().isRecord()) {
            assertNotNull(actual, path);
            assertEquals(expected.getClass(), actual.getClass(), path);
            for (RecordComponent component : expected.getClass().getRecordComponents()) {
                if (NOT_STORED.contains(nameOf(component))) {
                    continue;
                }
                String componentPath = path + "." + component.getName();
                assertSameContent(valueOf(component, expected), valueOf(component, actual), componentPath);
            }
        } else if (expected instanceof byte[] bytes) {
            assertArrayEquals(bytes, (byte[]) actual, path);
        } else if (expected instanceof List<?> list) {
            List<?> actualList = (List<?>) actual;
            assertEquals(list.size(), actualList.size(), path + " size");
            for (int i = 0; i < list.size(); i++) {
                assertSameContent(list.get(i), actualList.get(i), path + "[" + i + "]");
            }
        } else {
            assertEquals(expected, actual, path);
        }
    }

    /**
     * Every component of every record type reachable from {@code values} is set to something other than
     * its default (null, 0, false, empty) in at least one of them.
     */
    static void assertEveryComponentSomewhereNotDefault(Collection<?> values) {
        Set<String> all = new TreeSet<>();
        Set<String> set = new TreeSet<>();
        values.forEach(value -> collect(value, all, set));
        all.removeAll(set);
        assertTrue(all.isEmpty(), "never set to anything but its default in the golden samples: " + all
                + " (a field added to a stored type raises the format version: docs/persistence.md)");
    }

    private static void collect(Object value, Set<String> all, Set<String> set) {
        if (value instanceof Collection<?> elements) {
            elements.forEach(element -> collect(element, all, set));
        } else if (value != null && value.getClass().isRecord()) {
            for (RecordComponent component : value.getClass().getRecordComponents()) {
                String name = nameOf(component);
                if (NOT_STORED.contains(name)) {
                    continue;
                }
                Object componentValue = valueOf(component, value);
                all.add(name);
                if (!isDefault(componentValue)) {
                    set.add(name);
                }
                collect(componentValue, all, set);
            }
        }
    }

    private static String nameOf(RecordComponent component) {
        return component.getDeclaringRecord().getSimpleName() + "." + component.getName();
    }

    private static boolean isDefault(Object value) {
        return value == null
                || Boolean.FALSE.equals(value)
                || value instanceof Number number && number.longValue() == 0
                || value instanceof String string && string.isEmpty()
                || value instanceof byte[] bytes && bytes.length == 0
                || value instanceof Collection<?> collection && collection.isEmpty();
    }

    private static Object valueOf(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + component.getName() + " of " + record.getClass(), e);
        }
    }
}
