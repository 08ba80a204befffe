package io.shoal.persistence.retained;

import io.shoal.node.session.Publication;
import io.shoal.persistence.CborSerializable;

/** A row of the retained-message table. A storage format: evolve it like the session events. */
public record StoredRetainedMessage(Publication publication) implements CborSerializable {
}
