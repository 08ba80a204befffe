package io.shoal.persistence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.shoal.persistence.retained.StoredRetainedMessage;
import io.shoal.persistence.session.SessionEvent;
import io.shoal.persistence.session.SessionSnapshot;

/**
 * Marks what Shoal stores for years: journaled events, snapshots and retained messages. Akka serializes these with the
 * {@code shoal-stored-cbor} serializer (reference.conf): Jackson CBOR with the stored name below in
 * the bytes ({@code "@type"}) and only the format version in the manifest, never a Java class name,
 * so classes can be renamed or moved without touching stored data.
 *
 * <p>This list is the registry of stored names: a name is never changed, removed or reused, and a
 * change to a stored type follows docs/persistence.md ("Evolving the stored formats").
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "@type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SessionEvent.SessionOpened.class, name = "session-opened"),
        @JsonSubTypes.Type(value = SessionEvent.SessionResumed.class, name = "session-resumed"),
        @JsonSubTypes.Type(value = SessionEvent.Subscribed.class, name = "subscribed"),
        @JsonSubTypes.Type(value = SessionEvent.Unsubscribed.class, name = "unsubscribed"),
        @JsonSubTypes.Type(value = SessionEvent.MessageQueued.class, name = "message-queued"),
        @JsonSubTypes.Type(value = SessionEvent.SessionSuspended.class, name = "session-suspended"),
        @JsonSubTypes.Type(value = SessionEvent.WillPublished.class, name = "will-published"),
        @JsonSubTypes.Type(value = SessionEvent.SessionCleared.class, name = "session-cleared"),
        @JsonSubTypes.Type(value = SessionEvent.PendingReplaced.class, name = "pending-replaced"),
        @JsonSubTypes.Type(value = SessionEvent.RoutedBy.class, name = "routed-by"),
        @JsonSubTypes.Type(value = SessionEvent.Attached.class, name = "attached"),
        @JsonSubTypes.Type(value = SessionSnapshot.class, name = "session-snapshot"),
        @JsonSubTypes.Type(value = StoredRetainedMessage.class, name = "retained-message"),
})
public interface Stored {
}
