package io.shoal.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PersistenceModeTest {

    @Test
    void memoryModeUsesTheInMemoryJournalAndThisModulesSnapshotStore() {
        Config reference = ConfigFactory.load();

        Config akka = PersistenceMode.MEMORY.akkaConfig(reference);

        assertEquals("akka.persistence.journal.inmem", akka.getString("akka.persistence.journal.plugin"));
        String snapshotStore = akka.getString("akka.persistence.snapshot-store.plugin");
        assertEquals("shoal-internal.memory-snapshot-store", snapshotStore);
        assertEquals(InMemorySnapshotStore.class.getName(), reference.getString(snapshotStore + ".class"));
    }
}
