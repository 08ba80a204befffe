package io.shoal.deploy.e2e.cassandra;

import io.shoal.deploy.e2e.TestBroker;
import io.shoal.persistence.testkit.CassandraExtension;

import java.util.HashMap;
import java.util.Map;

/** Brokers configured for the test's Cassandra the way an operator would: with environment variables. */
final class CassandraBroker {

    private CassandraBroker() {
    }

    /** SHOAL_PERSISTENCE=cassandra and the contact point are all a local single-node Cassandra needs. */
    static Map<String, String> env(CassandraExtension cassandra, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        env.put("SHOAL_PERSISTENCE", "cassandra");
        env.put("SHOAL_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint());
        env.put("SHOAL_CASSANDRA_KEYSPACE", cassandra.keyspace());
        return env;
    }

    static TestBroker start(CassandraExtension cassandra) {
        return TestBroker.start(env(cassandra, Map.of()));
    }
}
