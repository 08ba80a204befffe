package io.shoal.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import io.shoal.persistence.testkit.CassandraExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CassandraExtensionTest {

    @RegisterExtension
    static final CassandraExtension cassandra = new CassandraExtension();

    @Test
    void keyspaceIsNamedAfterTheTestClass() {
        assertTrue(cassandra.keyspace().matches("cassandraextensiontest_[0-9a-f]{6}"), cassandra.keyspace());
    }

    @Test
    void writesAndReadsARowInTheClassKeyspace() {
        try (CqlSession session = cassandra.openSession()) {
            session.execute("CREATE TABLE greetings (id int PRIMARY KEY, text text)");
            session.execute("INSERT INTO greetings (id, text) VALUES (1, 'hello')");

            assertEquals("hello",
                    session.execute("SELECT text FROM greetings WHERE id = 1").one().getString("text"));
        }
    }

    @Test
    void aWrittenRowSurvivesAServerStopAndStart() {
        try (CqlSession session = cassandra.openSession()) {
            session.execute("CREATE TABLE survivors (id int PRIMARY KEY, text text)");
            session.execute("INSERT INTO survivors (id, text) VALUES (1, 'still here')");
        }

        cassandra.stopServer();
        assertThrows(AllNodesFailedException.class, () -> cassandra.openSession().close());
        cassandra.startServer();

        try (CqlSession session = cassandra.openSession()) {
            assertEquals("still here",
                    session.execute("SELECT text FROM survivors WHERE id = 1").one().getString("text"));
        }
    }
}
