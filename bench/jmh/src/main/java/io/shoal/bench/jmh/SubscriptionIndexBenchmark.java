package io.shoal.bench.jmh;

import io.shoal.node.topic.SubscriptionIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Topic matching in the {@link SubscriptionIndex}, the first step of every PUBLISH on the data
 * path, and subscribe churn (put + remove of one filter) at the same index size.
 *
 * <p>The index models a device fleet in {@value #REGIONS} regions; {@code filters} is the number of
 * (filter, subscriber) entries:
 * <ul>
 *   <li>about 91%: one exact filter per device, {@code fleet/{region}/{device}/cmd} (the device
 *       listens for its commands);</li>
 *   <li>about 9%: every tenth device also subscribes to {@code fleet/{region}/{device}/config/+}
 *       (single-level wildcard below its own topic);</li>
 *   <li>36 backend subscriptions: per region {@code fleet/{region}/+/cmd} (command audit) and
 *       {@code fleet/{region}/+/status} (fleet monitor), and {@code fleet/{region}/#} (archive
 *       bridge) for the first {@value #ARCHIVED_REGIONS} regions only.</li>
 * </ul>
 * A "hit" topic is the cmd topic of a device in an archived region: it matches exactly three
 * entries, its exact filter, {@code +/cmd} and {@code #}. A "miss" topic is the telemetry topic of
 * a device in another region: the walk goes four levels deep down two branches (exact device and
 * {@code +}) and matches nothing. Topics rotate through {@value #TOPICS} precomputed devices so
 * the measurement is not of one cached path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed, pre-touched heap: otherwise the first pass through a growing young generation pays page
// faults, which made the first seconds of each run several times slower. 2 GiB holds the 10^6
// filters (about 0.5 GB live) with room to spare.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class SubscriptionIndexBenchmark {

    private static final int REGIONS = 16;
    private static final int ARCHIVED_REGIONS = 4;
    private static final int TOPICS = 4096; // a power of two: the rotation is a mask
    private static final int HIT_MATCHES = 3;

    @Param({"10000", "100000", "1000000"})
    public int filters;

    private final SubscriptionIndex<Integer, Integer> index = new SubscriptionIndex<>();
    private final String[] hitTopics = new String[TOPICS];
    private final String[] missTopics = new String[TOPICS];
    private final String[] churnFilters = new String[TOPICS];
    private final Integer[] churnKeys = new Integer[TOPICS];
    private BiConsumer<Integer, Integer> sink;
    private int next;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        sink = (subscriber, qos) -> {
            blackhole.consume(subscriber);
            blackhole.consume(qos);
        };
        int subscriber = 0;
        for (int r = 0; r < REGIONS; r++) {
            index.put("fleet/" + region(r) + "/+/cmd", subscriber++, 1);
            index.put("fleet/" + region(r) + "/+/status", subscriber++, 0);
            if (r < ARCHIVED_REGIONS) {
                index.put("fleet/" + region(r) + "/#", subscriber++, 1);
            }
        }
        int devices = 0;
        while (index.size() < filters) {
            int d = devices++;
            index.put(deviceTopic(d, "cmd"), subscriber++, 1);
            if (d % 10 == 0 && index.size() < filters) {
                index.put(deviceTopic(d, "config/+"), subscriber++, 1);
            }
        }

        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < TOPICS; i++) {
            // Devices are dealt round-robin to regions: device d is in region d % REGIONS.
            int archived = random.nextInt(devices / REGIONS) * REGIONS + random.nextInt(ARCHIVED_REGIONS);
            int other = random.nextInt(devices / REGIONS) * REGIONS
                    + ARCHIVED_REGIONS + random.nextInt(REGIONS - ARCHIVED_REGIONS);
            hitTopics[i] = deviceTopic(archived, "cmd");
            missTopics[i] = deviceTopic(other, "telemetry");
            churnFilters[i] = deviceTopic(devices + i, "cmd"); // a device not in the index yet
            churnKeys[i] = subscriber++;
        }
        check();
    }

    /** One exact filter plus {@code +/cmd} and {@code #}. */
    @Benchmark
    public void matchHit() {
        index.match(hitTopics[next++ & (TOPICS - 1)], sink);
    }

    /** A four-level walk down two branches that ends without a match. */
    @Benchmark
    public void matchMiss() {
        index.match(missTopics[next++ & (TOPICS - 1)], sink);
    }

    /** A new device subscribes and unsubscribes: two trie nodes created, then pruned. */
    @Benchmark
    public boolean subscribeChurn(Blackhole blackhole) {
        int i = next++ & (TOPICS - 1);
        blackhole.consume(index.put(churnFilters[i], churnKeys[i], 1));
        return index.remove(churnFilters[i], churnKeys[i]);
    }

    private static String region(int r) {
        return "region-" + r;
    }

    private static String deviceTopic(int device, String suffix) {
        return "fleet/" + region(device % REGIONS) + "/device-" + device + "/" + suffix;
    }

    /** Fails the run if the index does not have the shape described above. */
    private void check() {
        if (index.size() != filters) {
            throw new IllegalStateException("index has " + index.size() + " entries, expected " + filters);
        }
        for (int i = 0; i < TOPICS; i++) {
            if (matches(hitTopics[i]) != HIT_MATCHES || matches(missTopics[i]) != 0) {
                throw new IllegalStateException(hitTopics[i] + " or " + missTopics[i] + " does not match as intended");
            }
        }
    }

    private int matches(String topic) {
        AtomicInteger count = new AtomicInteger();
        index.match(topic, (subscriber, qos) -> count.incrementAndGet());
        return count.get();
    }
}
