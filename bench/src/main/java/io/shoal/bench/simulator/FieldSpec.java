package io.shoal.bench.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.List;
import java.util.Random;

/**
 * How one payload field of a device is generated. Each device gets its own {@link Generator}, so a
 * random walk or a cycle keeps its position per device.
 */
sealed interface FieldSpec {

    /** Produces the field's successive values for one device. */
    interface Generator {
        Object next();
    }

    Generator newGenerator(Random random);

    /** A number in [min, max]: uniform each time, or a random walk of at most {@code walk} per step. */
    record Number(boolean integer, double min, double max, double walk, int decimals) implements FieldSpec {
        public Generator newGenerator(Random random) {
            double[] current = {min + random.nextDouble() * (max - min)};
            return () -> {
                double v = walk > 0
                        ? Math.max(min, Math.min(max, current[0] + (random.nextDouble() * 2 - 1) * walk))
                        : min + random.nextDouble() * (max - min);
                current[0] = v;
                if (integer) {
                    return Math.round(v);
                }
                double scale = Math.pow(10, decimals);
                return Math.round(v * scale) / scale;
            };
        }
    }

    /** true with the given probability. */
    record Bool(double trueProbability) implements FieldSpec {
        public Generator newGenerator(Random random) {
            return () -> random.nextDouble() < trueProbability;
        }
    }

    /** One of the values, each as likely as its weight. */
    record Choice(List<Object> values, List<Double> weights) implements FieldSpec {
        public Generator newGenerator(Random random) {
            double total = weights.stream().mapToDouble(Double::doubleValue).sum();
            return () -> {
                double pick = random.nextDouble() * total;
                for (int i = 0; i < values.size(); i++) {
                    pick -= weights.get(i);
                    if (pick < 0) {
                        return values.get(i);
                    }
                }
                return values.get(values.size() - 1);
            };
        }
    }

    /** The values in order, over and over, each device starting at a random place. */
    record Cycle(List<Object> values) implements FieldSpec {
        public Generator newGenerator(Random random) {
            int[] next = {random.nextInt(values.size())};
            return () -> {
                Object v = values.get(next[0]);
                next[0] = (next[0] + 1) % values.size();
                return v;
            };
        }
    }

    /** Reads a field definition; errors name the field's path. */
    static FieldSpec parse(String path, Config c) {
        try {
            String type = c.getString("type");
            return switch (type) {
                case "int", "float" -> {
                    double min = c.getDouble("min");
                    double max = c.getDouble("max");
                    if (max < min) {
                        throw new IllegalArgumentException("max is below min");
                    }
                    yield new Number(type.equals("int"), min, max, c.hasPath("walk") ? c.getDouble("walk") : 0,
                            c.hasPath("decimals") ? c.getInt("decimals") : 2);
                }
                case "bool" -> new Bool(c.hasPath("true-probability") ? c.getDouble("true-probability") : 0.5);
                case "choice" -> {
                    List<Object> values = List.copyOf(c.getAnyRefList("values"));
                    List<Double> weights = c.hasPath("weights") ? c.getDoubleList("weights")
                            : values.stream().map(v -> 1.0).toList();
                    if (values.isEmpty() || weights.size() != values.size()) {
                        throw new IllegalArgumentException("needs values, and as many weights as values");
                    }
                    yield new Choice(values, weights);
                }
                case "cycle" -> {
                    List<Object> values = List.copyOf(c.getAnyRefList("values"));
                    if (values.isEmpty()) {
                        throw new IllegalArgumentException("needs values");
                    }
                    yield new Cycle(values);
                }
                default -> throw new IllegalArgumentException("unknown type '" + type
                        + "' (int, float, bool, choice, cycle)");
            };
        } catch (ConfigException | IllegalArgumentException e) {
            throw new IllegalArgumentException("field " + path + ": " + e.getMessage(), e);
        }
    }
}
