package io.shoal.bench.client;

import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * How load clients connect.
 *
 * @param mqttVersion     MQTT_3_1_1 or MQTT_5
 * @param keepAliveSeconds keep-alive announced in CONNECT; clients ping at half of it (0: never)
 * @param maxInflight     QoS 1/2 PUBLISHes a client keeps unacknowledged before it waits
 */
public record ClientOptions(MqttVersion mqttVersion, int keepAliveSeconds, int maxInflight) {
}
