package io.shoal.deploy;

import akka.actor.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shoal.persistence.PersistenceMode;
import io.shoal.persistence.cassandra.CassandraSchema;
import io.shoal.persistence.cassandra.CassandraSettings;
import io.shoal.persistence.cassandra.CassandraStartup;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar shoal.jar schema print|apply}: Shoal's Cassandra schema for operators who manage
 * schema themselves (shoal.cassandra.create-schema = false). {@code print} needs no Cassandra;
 * {@code apply} runs the statements against the configured contact points.
 */
final class SchemaCommand {

    private static final Duration APPLY_TIMEOUT = Duration.ofMinutes(2);

    private SchemaCommand() {
    }

    static void run(String action, CassandraSettings cassandra, PrintStream out) throws Exception {
        ActorSystem system = ActorSystem.create("shoal-schema", akkaConfig(cassandra));
        try {
            List<String> statements = CassandraSchema.statements(system, cassandra.keyspace());
            if (action.equals("print")) {
                statements.forEach(statement -> out.println(statement + ";\n"));
            } else {
                CassandraSchema.apply(system, new CassandraStartup(system, cassandra).session(), cassandra.keyspace())
                        .toCompletableFuture().get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                out.println("Applied " + statements.size() + " statements to keyspace " + cassandra.keyspace() + " at "
                        + cassandra.describe());
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** Only what the plugin's statements and the driver need: no cluster, no remoting, quiet. */
    private static Config akkaConfig(CassandraSettings cassandra) {
        Config reference = ConfigFactory.defaultReference(SchemaCommand.class.getClassLoader());
        return ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING\nakka.stdout-loglevel = OFF")
                .withFallback(PersistenceMode.CASSANDRA.akkaConfig(reference, cassandra))
                .withFallback(reference)
                .resolve();
    }
}
