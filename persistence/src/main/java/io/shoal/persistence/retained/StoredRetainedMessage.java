package io.shoal.persistence.retained;

import io.shoal.node.session.Publication;
import io.shoal.persistence.Stored;

/** The message column of the retained-message table. A stored format: see docs/persistence.md. */
public record StoredRetainedMessage(Publication publication) implements Stored {
}
