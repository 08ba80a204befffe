package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import io.shoal.node.session.MessageProperties;
import io.shoal.node.session.UserProperty;

import java.util.ArrayList;
import java.util.List;

/** Reading and writing MQTT 5 properties with netty's types. */
final class Properties5 {

    private Properties5() {
    }

    static Integer integer(MqttProperties properties, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> p = properties.getProperty(type.value());
        return p == null ? null : (Integer) p.value();
    }

    static int integer(MqttProperties properties, MqttPropertyType type, int absent) {
        Integer value = integer(properties, type);
        return value == null ? absent : value;
    }

    static String string(MqttProperties properties, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> p = properties.getProperty(type.value());
        return p == null ? null : (String) p.value();
    }

    static byte[] binary(MqttProperties properties, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> p = properties.getProperty(type.value());
        return p == null ? null : (byte[]) p.value();
    }

    static List<UserProperty> userProperties(MqttProperties properties) {
        List<? extends MqttProperties.MqttProperty> all = properties.getProperties(MqttPropertyType.USER_PROPERTY.value());
        if (all.isEmpty()) {
            return List.of();
        }
        List<UserProperty> result = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> p : all) {
            if (p.value() instanceof StringPair pair) {
                result.add(new UserProperty(pair.key, pair.value));
            } else if (p.value() instanceof List<?> pairs) {
                for (Object o : pairs) {
                    StringPair pair = (StringPair) o;
                    result.add(new UserProperty(pair.key, pair.value));
                }
            }
        }
        return result;
    }

    /** The properties of an application message (PUBLISH or will) that travel with it. */
    static MessageProperties message(MqttProperties properties, long nowMillis) {
        if (properties.isEmpty()) {
            return MessageProperties.NONE;
        }
        Integer expiry = integer(properties, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL);
        long expiresAt = expiry == null ? 0 : nowMillis + (expiry & 0xFFFFFFFFL) * 1000;
        return new MessageProperties(integer(properties, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR), expiresAt,
                string(properties, MqttPropertyType.CONTENT_TYPE), string(properties, MqttPropertyType.RESPONSE_TOPIC),
                binary(properties, MqttPropertyType.CORRELATION_DATA), userProperties(properties));
    }

    /** Writes an application message's properties, the expiry counted down to {@code nowMillis}. */
    static void addMessage(MqttProperties out, MessageProperties m, long nowMillis) {
        if (m.payloadFormat() != null) {
            out.add(new IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), m.payloadFormat()));
        }
        if (m.expiresAtMillis() != 0) {
            out.add(new IntegerProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(),
                    (int) m.remainingExpirySeconds(nowMillis)));
        }
        if (m.contentType() != null) {
            out.add(new StringProperty(MqttPropertyType.CONTENT_TYPE.value(), m.contentType()));
        }
        if (m.responseTopic() != null) {
            out.add(new StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), m.responseTopic()));
        }
        if (m.correlationData() != null) {
            out.add(new BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), m.correlationData()));
        }
        addUser(out, m.userProperties());
    }

    static void addUser(MqttProperties out, List<UserProperty> user) {
        if (!user.isEmpty()) {
            UserProperties list = new UserProperties();
            user.forEach(u -> list.add(u.name(), u.value()));
            out.add(list);
        }
    }

    static void addInt(MqttProperties out, MqttPropertyType type, int value) {
        out.add(new IntegerProperty(type.value(), value));
    }

    static void addString(MqttProperties out, MqttPropertyType type, String value) {
        out.add(new StringProperty(type.value(), value));
    }
}
