package io.shoal.persistence.session;

import akka.persistence.typed.SnapshotAdapter;

/**
 * Stores a session's mutable {@link SessionData} as an immutable {@link SessionSnapshot}: the
 * snapshot store may hold on to (or serialize later) what it is given, so it must be a copy.
 */
public final class SessionSnapshotAdapter implements SnapshotAdapter<SessionData> {

    @Override
    public Object toJournal(SessionData state) {
        return state.toSnapshot();
    }

    @Override
    public SessionData fromJournal(Object from) {
        return SessionData.fromSnapshot((SessionSnapshot) from);
    }
}
