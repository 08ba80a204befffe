package io.shoal.persistence;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.shoal.node.session.Publication;

/**
 * What the stored formats leave out of the node module's records: a message's identity, which only
 * matters while the message travels between nodes (messages between nodes carry it). Registered for
 * the {@code shoal-stored-cbor} binding only, in this module's reference.conf.
 */
public final class StoredFormatModule extends SimpleModule {

    public StoredFormatModule() {
        super("shoal-stored-format");
        setMixInAnnotation(Publication.class, PublicationStored.class);
    }

    /** Read back as 0: "no identity". */
    private abstract static class PublicationStored {
        @JsonIgnore
        abstract long id();
    }
}
