package io.shoal.persistence.stored;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The golden files of version 1 read by imagined later builds of Shoal, configured the way
 * docs/persistence.md tells: a Java class renamed and moved needs no migration, a field renamed needs
 * one, which raises the format version.
 */
class StoredFormatEvolutionTest {

    private static final long OPENED_AT = 1_700_000_000_001L;
    private static final long RESUMED_AT = 1_700_000_000_002L;

    // ---------------------------------------------------------------------------------------------
    // A build where SessionOpened is now ...stored.StoredFormatEvolutionTest.SessionStarted

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
    @JsonSubTypes(@JsonSubTypes.Type(value = SessionStarted.class, name = "session-opened"))
    public interface RenamedClasses {
    }

    public record SessionStarted(long timestampMillis) implements RenamedClasses {
    }

    @Test
    void aClassRenamedInJavaReadsWhatItsOldNameStored() {
        String renamed = storedSerializer("deserialization-type = \"" + RenamedClasses.class.getName() + "\"");

        withSerialization(renamed, serialization -> {
            Object back = GoldenFiles.read(1, "session-opened").deserialize(serialization);

            assertEquals(new SessionStarted(OPENED_AT), back);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // A build with format version 2, where session-opened renamed its field timestampMillis

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = OpenedV2.class, name = "session-opened"),
            @JsonSubTypes.Type(value = ResumedV2.class, name = "session-resumed")})
    public interface Version2 {
    }

    public record OpenedV2(long openedAtMillis) implements Version2 {
    }

    public record ResumedV2(long timestampMillis) implements Version2 {
    }

    /** The migration that version 2 would add. */
    public static final class Version2Migration extends JacksonMigration {

        @Override
        public int currentVersion() {
            return 2;
        }

        @Override
        public JsonNode transform(int fromVersion, JsonNode json) {
            if (fromVersion < 2 && json.get("@type").asText().equals("session-opened")) {
                ObjectNode opened = (ObjectNode) json;
                opened.set("openedAtMillis", opened.remove("timestampMillis"));
            }
            return json;
        }
    }

    @Test
    void aMigrationUpgradesOneStoredTypeAndTheVersionRises() {
        String version2 = storedSerializer(
                "deserialization-type = \"" + Version2.class.getName() + "\"\n"
                        + "migrations { \"" + Version2.class.getName() + "\" = \"" + Version2Migration.class.getName() + "\" }")
                + "akka.actor.serialization-bindings { \"" + Version2.class.getName() + "\" = shoal-stored-cbor }\n";

        withSerialization(version2, serialization -> {
            assertEquals(new OpenedV2(OPENED_AT), GoldenFiles.read(1, "session-opened").deserialize(serialization));
            assertEquals(new ResumedV2(RESUMED_AT), GoldenFiles.read(1, "session-resumed").deserialize(serialization));

            Serialized written = Serialized.of(serialization, new OpenedV2(OPENED_AT));
            assertEquals("#2", written.manifest());
            assertEquals(new OpenedV2(OPENED_AT), written.deserialize(serialization));
        });
    }

    private static String storedSerializer(String settings) {
        return "akka.serialization.jackson.shoal-stored-cbor {\n" + settings + "\n}\n";
    }

    /** Runs {@code test} in an actor system with {@code config} over this module's. */
    private static void withSerialization(String config, Consumer<Serialization> test) {
        ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(config).withFallback(ConfigFactory.load()));
        try {
            test.accept(SerializationExtension.get(testKit.system().classicSystem()));
        } finally {
            testKit.shutdownTestKit();
        }
    }
}
