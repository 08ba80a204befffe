package io.shoal.bench.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A group of identical devices from a simulation file. */
public record DeviceGroup(String name, int count, IdTemplate clientId, IdTemplate topic, Duration interval, int qos,
                   boolean retain, Map<String, FieldSpec> fields) {

    /** Reads a simulation file (HOCON, of which JSON is a subset); errors name the setting. */
    public static List<DeviceGroup> load(File file) {
        Config root;
        try {
            root = ConfigFactory.parseFile(file).resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        if (!root.hasPath("devices")) {
            throw new IllegalArgumentException(file + ": no 'devices' list");
        }
        List<DeviceGroup> groups = new ArrayList<>();
        List<? extends Config> entries = root.getConfigList("devices");
        for (int i = 0; i < entries.size(); i++) {
            groups.add(parse("devices[" + i + "]", entries.get(i)));
        }
        return groups;
    }

    private static DeviceGroup parse(String path, Config c) {
        try {
            String name = c.getString("name");
            int qos = c.hasPath("qos") ? c.getInt("qos") : 0;
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("qos must be 0, 1 or 2");
            }
            int count = c.getInt("count");
            if (count < 1) {
                throw new IllegalArgumentException("count must be at least 1");
            }
            Duration interval = c.getDuration("interval");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("interval must be positive");
            }
            Map<String, FieldSpec> fields = new LinkedHashMap<>();
            Config fieldConfig = c.getConfig("fields");
            for (String field : fieldConfig.root().keySet()) {
                fields.put(field, FieldSpec.parse(path + ".fields." + field, fieldConfig.getConfig(field)));
            }
            return new DeviceGroup(name, count,
                    new IdTemplate(c.hasPath("client-id") ? c.getString("client-id") : name + "-{id}"),
                    new IdTemplate(c.getString("topic")), interval, qos,
                    c.hasPath("retain") && c.getBoolean("retain"), fields);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    /** The same group with {@code newCount} devices. */
    DeviceGroup withCount(int newCount) {
        return new DeviceGroup(name, newCount, clientId, topic, interval, qos, retain, fields);
    }
}
