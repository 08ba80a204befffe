package io.shoal.persistence.stored;

import akka.serialization.Serialization;
import akka.serialization.jackson.JacksonCborSerializer;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.PendingDelivery;
import io.shoal.node.session.Publication;
import io.shoal.persistence.AkkaSerialization;
import io.shoal.persistence.CborSerializable;
import io.shoal.persistence.Stored;
import io.shoal.persistence.session.SessionEvent;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import scala.util.Try;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.shoal.persistence.stored.StoredTypes.CURRENT_VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How stored types are written, as configured by this module's reference.conf: the stored name in the
 * bytes, the format version in the manifest, no Java class name anywhere.
 */
class StoredFormatTest {

    /** Written next to every stored value: changing it makes all stored data unreadable. */
    private static final int STORED_SERIALIZER_ID = 1883;

    @RegisterExtension
    static final AkkaSerialization akka = new AkkaSerialization();

    @Test
    void storedTypesAreWrittenAsJacksonCborWithTheFormatVersionAsManifest() {
        for (Stored value : GoldenSamples.ofVersion(CURRENT_VERSION).values()) {
            Serialized serialized = Serialized.of(akka.serialization(), value);

            assertInstanceOf(JacksonCborSerializer.class, akka.serialization().findSerializerFor(value));
            assertEquals(STORED_SERIALIZER_ID, serialized.serializerId(), value.getClass().getName());
            assertEquals("#" + CURRENT_VERSION, serialized.manifest(), value.getClass().getName());
        }
    }

    @Test
    void theBytesNameTheStoredTypeAndNoJavaClass() {
        for (Map.Entry<String, Stored> sample : GoldenSamples.ofVersion(CURRENT_VERSION).entrySet()) {
            String bytes = new String(Serialized.of(akka.serialization(), sample.getValue()).bytes(),
                    StandardCharsets.ISO_8859_1);
            Class<?> type = sample.getValue().getClass();

            assertTrue(bytes.contains("@type") && bytes.contains(sample.getKey()), sample.getKey());
            assertFalse(bytes.contains(type.getSimpleName()), type.getSimpleName());
            assertFalse(bytes.contains("io.shoal"), sample.getKey());
        }
    }

    @Test
    void aMessagesIdentityIsNotStoredButTravelsBetweenNodes() {
        Publication travelling = new Publication("t", new byte[] {1}, 1, false, MessageProperties.NONE, "c", 42L);
        SessionEvent.MessageQueued queued = new SessionEvent.MessageQueued(PendingDelivery.queued(travelling, 1, false));

        Object stored = Serialized.of(akka.serialization(), queued).deserialize(akka.serialization());
        assertEquals(0L, ((SessionEvent.MessageQueued) stored).delivery().publication().id());

        Object received = Serialized.of(akka.serialization(), new Wire(travelling)).deserialize(akka.serialization());
        assertEquals(42L, ((Wire) received).publication().id());
    }

    /** A message between nodes carrying a publication. */
    record Wire(Publication publication) implements CborSerializable {
    }

    @Test
    void dataOfALaterFormatVersionIsRefusedRatherThanMisread() {
        Serialized current = GoldenFiles.read(CURRENT_VERSION, "session-opened");
        Serialized later = new Serialized(current.serializerId(), "#" + (CURRENT_VERSION + 1), current.bytes());

        Try<Object> read = akka.serialization().deserialize(later.bytes(), later.serializerId(), later.manifest());

        assertInstanceOf(IllegalStateException.class, read.failed().get());
    }

    @Test
    void anUnknownStoredNameIsRefused() {
        Serialized opened = GoldenFiles.read(CURRENT_VERSION, "session-opened");
        byte[] renamed = new String(opened.bytes(), StandardCharsets.ISO_8859_1)
                .replace("session-opened", "session-begins")
                .getBytes(StandardCharsets.ISO_8859_1);

        Try<Object> read = akka.serialization().deserialize(renamed, opened.serializerId(), opened.manifest());

        assertInstanceOf(InvalidTypeIdException.class, read.failed().get());
    }
}
