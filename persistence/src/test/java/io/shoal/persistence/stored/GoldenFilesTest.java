package io.shoal.persistence.stored;

import akka.serialization.Serialization;
import io.shoal.persistence.AkkaSerialization;
import io.shoal.persistence.Stored;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.shoal.persistence.stored.RecordAssertions.assertEveryComponentSomewhereNotDefault;
import static io.shoal.persistence.stored.RecordAssertions.assertSameContent;
import static io.shoal.persistence.stored.StoredTypes.CURRENT_VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * What older versions of Shoal stored can still be read: the golden files of every format version
 * (src/test/resources/serialized), deserialized with the current code, give back every field of the
 * values they were written from. A field or stored name changed without a migration fails here.
 */
class GoldenFilesTest {

    @RegisterExtension
    static final AkkaSerialization akka = new AkkaSerialization();

    @TestFactory
    Stream<DynamicTest> everyGoldenFileDeserializesToTheValueItWasWrittenFrom() {
        return IntStream.rangeClosed(1, CURRENT_VERSION).boxed().flatMap(version ->
                GoldenSamples.ofVersion(version).entrySet().stream().map(sample ->
                        dynamicTest(GoldenFiles.directoryName(version) + "/" + sample.getKey(), () -> {
                            Object back = GoldenFiles.read(version, sample.getKey()).deserialize(akka.serialization());
                            assertSameContent(sample.getValue(), back, sample.getKey());
                        })));
    }

    @Test
    void everyVersionHasExactlyTheGoldenFilesOfItsSamples() {
        for (int version = 1; version <= CURRENT_VERSION; version++) {
            assertEquals(GoldenSamples.ofVersion(version).keySet(), GoldenFiles.names(version),
                    "golden files of version " + version + " (docs/persistence.md tells how to write them)");
        }
    }

    @Test
    void theCurrentVersionHasASampleOfEveryStoredType() {
        Map<String, Class<?>> sampled = new TreeMap<>();
        GoldenSamples.ofVersion(CURRENT_VERSION).forEach((name, value) -> sampled.put(name, value.getClass()));

        assertEquals(StoredTypes.byName(), sampled, "stored names registered on " + Stored.class.getName());
    }

    @Test
    void theSamplesOfTheCurrentVersionSetEveryField() {
        assertEveryComponentSomewhereNotDefault(GoldenSamples.ofVersion(CURRENT_VERSION).values());
    }
}
