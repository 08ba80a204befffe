package io.shoal.persistence.stored;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import io.shoal.persistence.Stored;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.shoal.persistence.stored.RecordAssertions.assertEveryComponentSomewhereNotDefault;
import static io.shoal.persistence.stored.RecordAssertions.assertSameContent;
import static io.shoal.persistence.stored.StoredTypes.CURRENT_VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Writes the golden files that the current format version lacks (all of them when the version is new,
 * one when a stored type is new); never rewrites one. Runs only when asked (docs/persistence.md,
 * "Evolving the stored formats"):
 * <pre>
 * mvn -B -o -q test -pl persistence -am -Dtest=GoldenFileWriterTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dshoal.golden.write=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.golden.write", matches = "true")
class GoldenFileWriterTest {

    @Test
    void writeTheGoldenFilesOfTheCurrentVersion() throws IOException {
        ActorTestKit testKit = ActorTestKit.create();
        try {
            Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
            Map<String, Stored> samples = GoldenSamples.ofVersion(CURRENT_VERSION);
            assertEveryComponentSomewhereNotDefault(samples.values());
            Map<String, Serialized> files = new LinkedHashMap<>();
            samples.forEach((name, value) -> files.put(name, Serialized.of(serialization, value)));

            files.forEach((name, file) -> {
                assertEquals("#" + CURRENT_VERSION, file.manifest(), name + " manifest");
                assertSameContent(samples.get(name), file.deserialize(serialization), name);
            });
            System.out.println("Wrote " + GoldenFiles.writeMissing(CURRENT_VERSION, files));
        } finally {
            testKit.shutdownTestKit();
        }
    }
}
