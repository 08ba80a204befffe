package io.shoal.persistence;

import akka.dispatch.Futures;
import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot store plugin that keeps snapshots in memory, for the in-memory persistence mode.
 *
 * <p>Akka ships an in-memory journal but no in-memory snapshot store outside its test kit. Without
 * snapshots the in-memory journal could never delete events, and a long-running single node would
 * keep every event of every persistent session forever; with this store, sessions snapshot every N
 * events and older events are deleted, as they are with Cassandra. Plugin calls arrive one at a time
 * (the plugin is an actor), so plain collections suffice.
 */
public final class InMemorySnapshotStore extends SnapshotStore {

    private final Map<String, List<SelectedSnapshot>> snapshots = new HashMap<>();

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        SelectedSnapshot youngest = null;
        for (SelectedSnapshot s : snapshots.getOrDefault(persistenceId, List.of())) {
            if (matches(criteria, s.metadata())
                    && (youngest == null || s.metadata().sequenceNr() > youngest.metadata().sequenceNr())) {
                youngest = s;
            }
        }
        return Futures.successful(Optional.ofNullable(youngest));
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        List<SelectedSnapshot> list = snapshots.computeIfAbsent(metadata.persistenceId(), id -> new ArrayList<>());
        list.removeIf(s -> s.metadata().sequenceNr() == metadata.sequenceNr());
        list.add(new SelectedSnapshot(metadata, snapshot));
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        remove(metadata.persistenceId(), s -> s.metadata().sequenceNr() == metadata.sequenceNr());
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        remove(persistenceId, s -> matches(criteria, s.metadata()));
        return Futures.successful(null);
    }

    private void remove(String persistenceId, java.util.function.Predicate<SelectedSnapshot> which) {
        List<SelectedSnapshot> list = snapshots.get(persistenceId);
        if (list != null) {
            list.removeIf(which);
            if (list.isEmpty()) {
                snapshots.remove(persistenceId);
            }
        }
    }

    private static boolean matches(SnapshotSelectionCriteria c, SnapshotMetadata m) {
        return m.sequenceNr() <= c.maxSequenceNr() && m.timestamp() <= c.maxTimestamp()
                && m.sequenceNr() >= c.minSequenceNr() && m.timestamp() >= c.minTimestamp();
    }
}
