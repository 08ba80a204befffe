package io.shoal.bench.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** One simulated device: its client id, its topic, and its fields' generators. */
final class Device {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeviceGroup group;
    private final String clientId;
    private final String topic;
    private final Map<String, FieldSpec.Generator> generators = new LinkedHashMap<>();

    Device(DeviceGroup group, int id, Random random) {
        this.group = group;
        this.clientId = group.clientId().expand(id);
        this.topic = group.topic().expand(id);
        group.fields().forEach((name, spec) -> generators.put(name, spec.newGenerator(random)));
    }

    DeviceGroup group() {
        return group;
    }

    String clientId() {
        return clientId;
    }

    String topic() {
        return topic;
    }

    /** The next reading as JSON: {"device": ..., "ts": epoch millis, field: value, ...}. */
    byte[] nextPayload() {
        Map<String, Object> reading = new LinkedHashMap<>();
        reading.put("device", clientId);
        reading.put("ts", System.currentTimeMillis());
        generators.forEach((name, generator) -> reading.put(name, generator.next()));
        try {
            return JSON.writeValueAsBytes(reading);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
