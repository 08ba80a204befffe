package io.shoal.persistence.cassandra;

import akka.actor.ActorSystem;
import akka.persistence.cassandra.KeyspaceAndTableStatements;
import akka.persistence.cassandra.PluginSettings;
import akka.stream.alpakka.cassandra.javadsl.CassandraSession;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Shoal's keyspace and tables: akka-persistence-cassandra's journal and snapshot tables (their
 * definitions come from the plugin, so they always match the plugin version in the build) and
 * Shoal's retained-message table. Created at start when {@code cassandra.create-schema} is on, or
 * printed and applied by the {@code schema} command for operators who manage schema themselves.
 */
public final class CassandraSchema {

    /** The config path of the akka-persistence-cassandra plugin; its session is the one Shoal shares. */
    public static final String PLUGIN_PATH = "akka.persistence.cassandra";
    public static final String RETAINED_TABLE = "retained_messages";
    public static final String WRITE_PROFILE = CassandraSettings.WRITE_PROFILE;
    public static final String READ_PROFILE = CassandraSettings.READ_PROFILE;

    private CassandraSchema() {
    }

    /** Every CQL statement of the schema, in the order to run them; each is idempotent (IF NOT EXISTS). */
    public static List<String> statements(ActorSystem system, String keyspace) {
        KeyspaceAndTableStatements plugin = new KeyspaceAndTableStatements(system, PLUGIN_PATH, PluginSettings.apply(system));
        // The journal and the snapshot store share Shoal's keyspace, so one CREATE KEYSPACE does.
        List<String> all = new ArrayList<>();
        all.add(plugin.createJournalKeyspaceStatement());
        all.addAll(plugin.getCreateJournalTablesStatements());
        all.addAll(plugin.getCreateSnapshotTablesStatements());
        all.add("CREATE TABLE IF NOT EXISTS " + keyspace + "." + RETAINED_TABLE + " (\n"
                + "  topic text PRIMARY KEY,\n"
                + "  ser_id int,\n"
                + "  ser_manifest text,\n"
                + "  message blob)");
        return all;
    }

    /** Runs {@link #statements} one after the other. */
    public static CompletionStage<Void> apply(ActorSystem system, CassandraSession session, String keyspace) {
        CompletionStage<Void> done = CompletableFuture.completedFuture(null);
        for (String statement : statements(system, keyspace)) {
            done = done.thenCompose(previous -> session.executeDDL(statement)).thenApply(d -> null);
        }
        return done;
    }
}
