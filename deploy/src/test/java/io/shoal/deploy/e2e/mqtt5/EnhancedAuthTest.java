package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.shoal.deploy.e2e.RawClient;
import io.shoal.deploy.e2e.TestBroker;
import io.shoal.node.auth.AuthExchange;
import io.shoal.node.auth.AuthResult;
import io.shoal.node.auth.AuthStep;
import io.shoal.node.auth.Authenticator;
import io.shoal.node.auth.Credentials;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 5 enhanced authentication (sections 3.15 and 4.12) with a two-step challenge/response method,
 * TOY-CHALLENGE: CONNECT carries "client-first", the broker answers AUTH Continue with a nonce, the
 * client must send the nonce reversed, and the broker ends with Success and "welcome {client id}" in
 * CONNACK (or, on re-authentication, in AUTH). Without initial data it refuses with 0x86, a wrong
 * answer with 0x87.
 */
class EnhancedAuthTest {

    private static final String METHOD = "TOY-CHALLENGE";

    private static final ToyChallenge authenticator = new ToyChallenge();

    @RegisterExtension
    static final TestBroker broker = new TestBroker(Map.of(), authenticator);

    @Test
    void defaultAuthenticatorRefusesAnAuthenticationMethodWithBadAuthenticationMethod() throws Exception {
        try (TestBroker plain = TestBroker.start(Map.of())) {
            org.eclipse.paho.mqttv5.client.MqttClient paho = Clients5.paho(plain, "ea-bad-method-paho");
            MqttConnectionOptions options = Clients5.pahoOptions();
            options.setAuthMethod(METHOD);
            options.setAuthData(utf8("client-first"));
            MqttException refused = assertThrows(MqttException.class, () -> paho.connect(options));
            assertEquals(0x8C, refused.getReasonCode(), "Bad authentication method: " + refused);
            assertFalse(paho.isConnected());
            paho.close();

            ToyMechanism mechanism = new ToyMechanism(true, true);
            Mqtt5BlockingClient hivemq = Clients5.hivemqBuilder(plain, "ea-bad-method-hivemq")
                    .enhancedAuth(mechanism).buildBlocking();
            Mqtt5ConnAckException rejected = assertThrows(Mqtt5ConnAckException.class, hivemq::connect);
            assertEquals(Mqtt5ConnAckReasonCode.BAD_AUTHENTICATION_METHOD, rejected.getMqttMessage().getReasonCode());
            assertTrue(mechanism.continued.isEmpty(), "the broker sent no AUTH");
        }
    }

    @Test
    void challengeResponseExchangeCompletesAndConnects() {
        int exchanges = authenticator.exchanges.get();
        ToyMechanism mechanism = new ToyMechanism(true, true);
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient client = Clients5.hivemqBuilder(broker, "ea-ok").enhancedAuth(mechanism).buildBlocking();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        Mqtt5ConnAck ack = client.connect();

        assertEquals(Mqtt5ConnAckReasonCode.SUCCESS, ack.getReasonCode());
        assertEquals(List.of("nonce-" + (exchanges + 1) + "-ea-ok"), mechanism.continued,
                "the client got the broker's challenge in one AUTH Continue");
        Mqtt5EnhancedAuth auth = ack.getEnhancedAuth().orElseThrow();
        assertEquals(METHOD, auth.getMethod().toString(), "CONNACK carries the method of CONNECT");
        assertEquals("welcome ea-ok", string(auth.getData().orElseThrow()), "server-final data in CONNACK");
        assertEquals("welcome ea-ok", mechanism.success.getNow(null));
        assertEquals(List.of("client-first", reverse("nonce-" + (exchanges + 1) + "-ea-ok")),
                authenticator.dataFrom("ea-ok"), "CONNECT's data, then the answer to the challenge");

        client.subscribeWith().topicFilter("ea/ok").qos(MqttQos.AT_LEAST_ONCE).send();
        client.publishWith().topic("ea/ok").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("in")).send();
        inbox.expect("ea/ok", "in");
        client.disconnect();
    }

    @Test
    void wrongAnswerIsRefusedWithNotAuthorized() {
        ToyMechanism mechanism = new ToyMechanism(true, false);
        Mqtt5BlockingClient client = Clients5.hivemqBuilder(broker, "ea-wrong").enhancedAuth(mechanism).buildBlocking();
        Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class, client::connect);
        assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, refused.getMqttMessage().getReasonCode());
        assertEquals(1, mechanism.continued.size(), "the refusal came after the challenge");
        assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, mechanism.rejected.getNow(null).getReasonCode());
    }

    @Test
    void missingInitialDataIsRefusedWithBadUserNameOrPassword() {
        ToyMechanism mechanism = new ToyMechanism(false, true);
        Mqtt5BlockingClient client = Clients5.hivemqBuilder(broker, "ea-no-data").enhancedAuth(mechanism).buildBlocking();
        Mqtt5ConnAckException refused = assertThrows(Mqtt5ConnAckException.class, client::connect);
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused.getMqttMessage().getReasonCode());
        assertTrue(mechanism.continued.isEmpty(), "refused at the first step, without a challenge");
    }

    @Test
    void authWithAnotherMethodDuringTheExchangeIsAProtocolError() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.useMqtt5();
            client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId("ea-switch")
                    .cleanSession(true).properties(authProperties(METHOD, "client-first")).build());

            MqttMessage challenge = client.receive(Duration.ofSeconds(5));
            assertNotNull(challenge, "expected AUTH Continue");
            assertEquals(MqttMessageType.AUTH, challenge.fixedHeader().messageType());
            MqttReasonCodeAndPropertiesVariableHeader header =
                    (MqttReasonCodeAndPropertiesVariableHeader) challenge.variableHeader();
            assertEquals(0x18, header.reasonCode() & 0xFF, "Continue authentication");
            assertEquals(METHOD, header.properties().getProperty(MqttPropertyType.AUTHENTICATION_METHOD.value()).value());
            byte[] nonce = (byte[]) header.properties().getProperty(MqttPropertyType.AUTHENTICATION_DATA.value()).value();

            client.send(MqttMessageBuilders.auth().reasonCode((byte) 0x18)
                    .properties(authProperties("OTHER-METHOD", reverse(string(nonce)))).build());
            MqttMessage reply = client.receive(Duration.ofSeconds(5));
            assertNotNull(reply, "expected CONNACK 0x82");
            assertInstanceOf(MqttConnAckMessage.class, reply);
            assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR,
                    ((MqttConnAckMessage) reply).variableHeader().connectReturnCode());
            assertFalse(((MqttConnAckMessage) reply).variableHeader().isSessionPresent());
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void reauthenticationSucceedsAndKeepsTheConnection() {
        int exchanges = authenticator.exchanges.get();
        ToyMechanism mechanism = new ToyMechanism(true, true);
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient client = Clients5.hivemqBuilder(broker, "ea-reauth").enhancedAuth(mechanism).buildBlocking();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, inbox);
        client.connect();
        client.subscribeWith().topicFilter("ea/reauth").qos(MqttQos.AT_LEAST_ONCE).send();

        client.reauth();

        assertEquals(exchanges + 2, authenticator.exchanges.get(), "re-authentication ran a new exchange");
        assertEquals(2, mechanism.continued.size(), "a challenge for CONNECT and one for the re-authentication");
        assertNotEquals(mechanism.continued.get(0), mechanism.continued.get(1), "a fresh nonce");
        assertEquals("welcome ea-reauth", mechanism.reauthSuccess.getNow(null), "server-final data in AUTH Success");
        assertTrue(client.getState().isConnected());
        client.publishWith().topic("ea/reauth").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("still here")).send();
        inbox.expect("ea/reauth", "still here");
        client.disconnect();
    }

    @Test
    void failedReauthenticationClosesTheConnectionWithNotAuthorized() throws Exception {
        CompletableFuture<MqttClientDisconnectedContext> disconnected = new CompletableFuture<>();
        ToyMechanism mechanism = new ToyMechanism(true, true);
        Mqtt5BlockingClient client = Clients5.hivemqBuilder(broker, "ea-reauth-fail").enhancedAuth(mechanism)
                .addDisconnectedListener(disconnected::complete).buildBlocking();
        client.connect();

        mechanism.answerCorrectly = false;
        assertThrows(RuntimeException.class, client::reauth);

        MqttClientDisconnectedContext context = disconnected.get(10, TimeUnit.SECONDS);
        Mqtt5DisconnectException cause = assertInstanceOf(Mqtt5DisconnectException.class, context.getCause());
        assertEquals(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED, cause.getMqttMessage().getReasonCode());
        assertEquals(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED, mechanism.reauthRejected.getNow(null).getReasonCode());
    }

    @Test
    void everyAuthPacketAndTheConnAckCarryTheMethodOfConnect() throws Exception {
        try (RawClient client = rawAuthenticated("ea-raw")) {
            client.send(MqttMessageBuilders.disconnect().reasonCode((byte) 0).build());
        }
    }

    @Test
    void reauthenticationWithAnotherMethodIsAProtocolError() throws Exception {
        try (RawClient client = rawAuthenticated("ea-reauth-switch")) {
            client.send(MqttMessageBuilders.auth().reasonCode((byte) 0x19)
                    .properties(authProperties("OTHER-METHOD", "client-first")).build());
            assertDisconnectAndClose(client, 0x82);
        }
    }

    @Test
    void authFromAClientThatDidNotUseEnhancedAuthenticationIsAProtocolError() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            MqttConnAckMessage ack = client.connect5("ea-no-method", true, 0, MqttProperties.NO_PROPERTIES);
            assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
            assertNull(ack.variableHeader().properties().getProperty(MqttPropertyType.AUTHENTICATION_METHOD.value()),
                    "no Authentication Method in CONNACK for a CONNECT without one");
            client.send(MqttMessageBuilders.auth().reasonCode((byte) 0x19)
                    .properties(authProperties(METHOD, "client-first")).build());
            assertDisconnectAndClose(client, 0x82);
        }
    }

    @Test
    void continueAuthenticationWithoutAnExchangeUnderWayIsAProtocolError() throws Exception {
        try (RawClient client = rawAuthenticated("ea-unsolicited")) {
            // The exchange of CONNECT is over and the client started no re-authentication (0x19).
            client.send(MqttMessageBuilders.auth().reasonCode((byte) 0x18)
                    .properties(authProperties(METHOD, "unsolicited")).build());
            assertDisconnectAndClose(client, 0x82);
        }
    }

    // ---- the method, broker side and client side -----------------------------------------------------

    /** The broker's half of TOY-CHALLENGE; records what each client sent. */
    static final class ToyChallenge implements Authenticator {
        final AtomicInteger exchanges = new AtomicInteger();
        private final Map<String, List<String>> received = new ConcurrentHashMap<>();

        @Override
        public CompletionStage<AuthResult> authenticate(Credentials credentials) {
            return CompletableFuture.completedFuture(AuthResult.ACCEPTED);
        }

        @Override
        public AuthExchange startExchange(String method, Credentials credentials) {
            if (!METHOD.equals(method)) {
                return null;
            }
            String clientId = credentials.clientId();
            String nonce = "nonce-" + exchanges.incrementAndGet() + "-" + clientId;
            List<String> log = received.computeIfAbsent(clientId, id -> new CopyOnWriteArrayList<>());
            return new AuthExchange() {
                private boolean challenged;

                @Override
                public CompletionStage<AuthStep> step(byte[] clientData) {
                    log.add(clientData == null ? "(none)" : string(clientData));
                    if (!challenged) {
                        if (clientData == null) {
                            return CompletableFuture.completedFuture(new AuthStep.Failure(AuthResult.BAD_USERNAME_OR_PASSWORD));
                        }
                        challenged = true;
                        // Answered from another thread, as an authenticator asking a directory would.
                        return CompletableFuture.supplyAsync(() -> new AuthStep.Continue(utf8(nonce)));
                    }
                    if (clientData != null && reverse(nonce).equals(string(clientData))) {
                        return CompletableFuture.completedFuture(new AuthStep.Success(utf8("welcome " + clientId)));
                    }
                    return CompletableFuture.completedFuture(new AuthStep.Failure(AuthResult.NOT_AUTHORIZED));
                }
            };
        }

        List<String> dataFrom(String clientId) {
            return received.getOrDefault(clientId, List.of());
        }
    }

    /** The client's half of TOY-CHALLENGE for the HiveMQ client; records what the broker sent. */
    static final class ToyMechanism implements Mqtt5EnhancedAuthMechanism {
        private final boolean sendInitialData;
        volatile boolean answerCorrectly;
        final List<String> continued = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> success = new CompletableFuture<>();
        final CompletableFuture<String> reauthSuccess = new CompletableFuture<>();
        final CompletableFuture<Mqtt5ConnAck> rejected = new CompletableFuture<>();
        final CompletableFuture<Mqtt5Disconnect> reauthRejected = new CompletableFuture<>();

        ToyMechanism(boolean sendInitialData, boolean answerCorrectly) {
            this.sendInitialData = sendInitialData;
            this.answerCorrectly = answerCorrectly;
        }

        @Override
        public MqttUtf8String getMethod() {
            return MqttUtf8String.of(METHOD);
        }

        @Override
        public int getTimeout() {
            return 10;
        }

        @Override
        public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect,
                                              Mqtt5EnhancedAuthBuilder builder) {
            if (sendInitialData) {
                builder.data(utf8("client-first"));
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder builder) {
            builder.data(utf8("client-first"));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth, Mqtt5AuthBuilder builder) {
            String nonce = auth.getData().map(EnhancedAuthTest::string).orElse("");
            continued.add(nonce);
            builder.data(utf8(answerCorrectly ? reverse(nonce) : "not the answer"));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
            success.complete(connAck.getEnhancedAuth().flatMap(Mqtt5EnhancedAuth::getData)
                    .map(EnhancedAuthTest::string).orElse(null));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
            reauthSuccess.complete(auth.getData().map(EnhancedAuthTest::string).orElse(null));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
            rejected.complete(connAck);
        }

        @Override
        public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
            reauthRejected.complete(disconnect);
        }

        @Override
        public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }

        @Override
        public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /**
     * Runs TOY-CHALLENGE by hand and checks each packet of the broker: AUTH Continue (0x18) with the
     * method of CONNECT and the nonce, then CONNACK Success with the method and the server-final data.
     */
    private static RawClient rawAuthenticated(String clientId) throws Exception {
        RawClient client = new RawClient(broker.port());
        client.useMqtt5();
        client.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId(clientId)
                .cleanSession(true).properties(authProperties(METHOD, "client-first")).build());

        MqttMessage challenge = client.receive(Duration.ofSeconds(5));
        assertNotNull(challenge, "expected AUTH Continue");
        assertEquals(MqttMessageType.AUTH, challenge.fixedHeader().messageType());
        MqttReasonCodeAndPropertiesVariableHeader auth =
                (MqttReasonCodeAndPropertiesVariableHeader) challenge.variableHeader();
        assertEquals(0x18, auth.reasonCode() & 0xFF, "Continue authentication");
        assertEquals(METHOD, auth.properties().getProperty(MqttPropertyType.AUTHENTICATION_METHOD.value()).value());
        String nonce = string((byte[]) auth.properties().getProperty(MqttPropertyType.AUTHENTICATION_DATA.value()).value());
        assertTrue(nonce.startsWith("nonce-"), nonce);

        client.send(MqttMessageBuilders.auth().reasonCode((byte) 0x18)
                .properties(authProperties(METHOD, reverse(nonce))).build());
        MqttMessage reply = client.receive(Duration.ofSeconds(5));
        assertInstanceOf(MqttConnAckMessage.class, reply, "expected CONNACK");
        MqttConnAckMessage ack = (MqttConnAckMessage) reply;
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, ack.variableHeader().connectReturnCode());
        MqttProperties properties = ack.variableHeader().properties();
        assertEquals(METHOD, properties.getProperty(MqttPropertyType.AUTHENTICATION_METHOD.value()).value(),
                "a successful CONNACK carries the method of CONNECT");
        assertEquals("welcome " + clientId,
                string((byte[]) properties.getProperty(MqttPropertyType.AUTHENTICATION_DATA.value()).value()));
        return client;
    }

    private static void assertDisconnectAndClose(RawClient client, int reasonCode) throws Exception {
        MqttMessage packet = client.receive(Duration.ofSeconds(5));
        assertNotNull(packet, "expected DISCONNECT 0x" + Integer.toHexString(reasonCode));
        assertEquals(MqttMessageType.DISCONNECT, packet.fixedHeader().messageType());
        assertEquals(reasonCode, ((MqttReasonCodeAndPropertiesVariableHeader) packet.variableHeader()).reasonCode() & 0xFF,
                "DISCONNECT reason code");
        assertTrue(client.awaitClosed(Duration.ofSeconds(5)), "the broker closes the connection");
    }

    private static MqttProperties authProperties(String method, String data) {
        MqttProperties properties = new MqttProperties();
        properties.add(new StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), method));
        properties.add(new BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(), utf8(data)));
        return properties;
    }

    static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String string(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return string(bytes);
    }
}
