package io.shoal.node.protocol;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.shoal.node.auth.Credentials;
import io.shoal.node.session.Publication;
import io.shoal.node.session.Will;

import java.net.SocketAddress;

/**
 * An accepted CONNECT, read once: what the client asked for (MQTT 3.1.1 answers in its terms),
 * and what the broker grants it.
 *
 * @param requestedExpiry     Session Expiry Interval asked for (3.1.1: 0 for clean session, else never)
 * @param sessionExpiry       what the broker grants: the request capped at the configured maximum
 * @param keepAliveSeconds    the keep-alive in force (Server Keep Alive overrides an MQTT 5 client's)
 * @param authMethod          MQTT 5 Authentication Method, null for user name / password authentication
 */
record ConnectRequest(String clientId, boolean assignedClientId, boolean mqtt5, boolean cleanStart,
                      long requestedExpiry, long sessionExpiry, int keepAliveSeconds, Will will,
                      int clientReceiveMaximum, int clientTopicAliasMaximum, boolean responseInformationRequested,
                      String authMethod,
                      byte[] authData, Credentials credentials) {

    private static final int MQTT_5 = 5;

    static ConnectRequest read(MqttConnectMessage connect, ConnectCheck.Accept accept, MqttSettings settings,
                               SocketAddress remoteAddress) {
        MqttConnectVariableHeader header = connect.variableHeader();
        MqttProperties p = header.properties();
        boolean v5 = header.version() == MQTT_5;
        boolean cleanStart = header.isCleanSession();
        long requestedExpiry = v5 ? unsigned(Properties5.integer(p, MqttPropertyType.SESSION_EXPIRY_INTERVAL, 0))
                : cleanStart ? 0 : MqttSettings.NEVER_EXPIRES;
        int keepAlive = v5 && settings.serverKeepAlive() > 0 ? settings.serverKeepAlive() : header.keepAliveTimeSeconds();
        Credentials credentials = new Credentials(accept.clientId(), connect.payload().userName(),
                connect.payload().passwordInBytes(), remoteAddress);
        return new ConnectRequest(accept.clientId(), accept.assigned(), v5, cleanStart, requestedExpiry,
                Math.min(requestedExpiry, settings.maxSessionExpiry()), keepAlive, will(connect, accept.clientId()),
                v5 ? Properties5.integer(p, MqttPropertyType.RECEIVE_MAXIMUM, 65_535) : 65_535,
                v5 ? Properties5.integer(p, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, 0) : 0,
                v5 && Properties5.integer(p, MqttPropertyType.REQUEST_RESPONSE_INFORMATION, 0) == 1,
                v5 ? Properties5.string(p, MqttPropertyType.AUTHENTICATION_METHOD) : null,
                v5 ? Properties5.binary(p, MqttPropertyType.AUTHENTICATION_DATA) : null,
                credentials);
    }

    /** The will, whose message expiry runs from when it is published, not from CONNECT. */
    private static Will will(MqttConnectMessage connect, String clientId) {
        if (!connect.variableHeader().isWillFlag()) {
            return null;
        }
        MqttProperties p = connect.payload().willProperties();
        Publication message = new Publication(connect.payload().willTopic(), connect.payload().willMessageInBytes(),
                connect.variableHeader().willQos(), connect.variableHeader().isWillRetain(),
                Properties5.message(p, 0).expiringAt(0), clientId);
        return new Will(message, unsigned(Properties5.integer(p, MqttPropertyType.WILL_DELAY_INTERVAL, 0)),
                unsigned(Properties5.integer(p, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, 0)));
    }

    /** The topic aliases of the connection: the broker's maximum inbound, the client's outbound if enabled. */
    TopicAliases topicAliases(MqttSettings settings) {
        return new TopicAliases(mqtt5 ? settings.topicAliasMaximum() : 0,
                mqtt5 && settings.outboundTopicAliases() ? clientTopicAliasMaximum : 0);
    }

    /** 1.5 times the keep-alive [MQTT-3.1.2-24]; 0 when keep-alive is off. */
    long keepAliveLimitNanos() {
        return keepAliveSeconds * 1_500_000_000L;
    }

    /** What CONNACK tells an MQTT 5 client about this broker and its session. */
    MqttProperties connAckProperties(MqttSettings s, byte[] serverAuthData) {
        MqttProperties p = new MqttProperties();
        Properties5.addInt(p, MqttPropertyType.RECEIVE_MAXIMUM, s.receiveMaximum());
        if (s.maxQos() < 2) {
            Properties5.addInt(p, MqttPropertyType.MAXIMUM_QOS, s.maxQos());
        }
        Properties5.addInt(p, MqttPropertyType.RETAIN_AVAILABLE, 1);
        Properties5.addInt(p, MqttPropertyType.MAXIMUM_PACKET_SIZE, s.maxPacketSize());
        Properties5.addInt(p, MqttPropertyType.TOPIC_ALIAS_MAXIMUM, s.topicAliasMaximum());
        Properties5.addInt(p, MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, 1);
        Properties5.addInt(p, MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1);
        Properties5.addInt(p, MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, 1);
        if (s.serverKeepAlive() > 0) {
            Properties5.addInt(p, MqttPropertyType.SERVER_KEEP_ALIVE, s.serverKeepAlive());
        }
        if (assignedClientId) {
            Properties5.addString(p, MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER, clientId);
        }
        if (sessionExpiry != requestedExpiry) {
            Properties5.addInt(p, MqttPropertyType.SESSION_EXPIRY_INTERVAL, (int) sessionExpiry);
        }
        if (responseInformationRequested && !s.responseInformation().isEmpty()) {
            Properties5.addString(p, MqttPropertyType.RESPONSE_INFORMATION, s.responseInformation());
        }
        if (authMethod != null) {
            Properties5.addString(p, MqttPropertyType.AUTHENTICATION_METHOD, authMethod);
            if (serverAuthData != null) {
                p.add(new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), serverAuthData));
            }
        }
        return p;
    }

    private static long unsigned(int value) {
        return value & 0xFFFFFFFFL;
    }
}
