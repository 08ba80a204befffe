package io.shoal.deploy.e2e.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import io.shoal.deploy.e2e.TestBroker;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT 5 subscription options (3.8.3.1): No Local, Retain As Published, Retain Handling, and
 * Subscription Identifiers (3.8.2.1.2) on the messages a subscription matched.
 */
class SubscriptionOptionsTest {

    private static final Duration QUIET = Duration.ofMillis(500);

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static void publish(Mqtt5BlockingClient client, String topic, String payload, boolean retain) {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    @Test
    void noLocalKeepsAClientsOwnMessagesFromComingBack() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient client = Clients5.hivemq(broker, "no-local", inbox);
        Inbox5 otherInbox = new Inbox5();
        Mqtt5BlockingClient other = Clients5.hivemq(broker, "no-local-other", otherInbox);
        try {
            client.subscribeWith().topicFilter("nl/chat").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
            other.subscribeWith().topicFilter("nl/chat").qos(MqttQos.AT_LEAST_ONCE).send();
            publish(client, "nl/chat", "from me", false);
            publish(other, "nl/chat", "from other", false);
            // The other client (no No Local) sees both, in order; after the second one arrived at
            // this client, the first one would have too [MQTT-3.8.3-3].
            otherInbox.expect("nl/chat", "from me");
            otherInbox.expect("nl/chat", "from other");
            inbox.expect("nl/chat", "from other");
            assertNull(inbox.poll(QUIET));
        } finally {
            other.disconnect();
            client.disconnect();
        }
    }

    @Test
    void noLocalAppliesPerSubscription() {
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient client = Clients5.hivemq(broker, "no-local-mixed", inbox);
        try {
            client.subscribeWith().topicFilter("nlm/a").qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
            client.subscribeWith().topicFilter("nlm/+").qos(MqttQos.AT_LEAST_ONCE).send();
            publish(client, "nlm/a", "echo", false);
            inbox.expect("nlm/a", "echo"); // through the wildcard subscription, once
            assertNull(inbox.poll(QUIET));
        } finally {
            client.disconnect();
        }
    }

    @Test
    void retainAsPublishedKeepsTheRetainFlagOnForwardedMessages() {
        Inbox5 keeps = new Inbox5();
        Inbox5 clears = new Inbox5();
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rap-publisher", new Inbox5());
        Mqtt5BlockingClient rap = Clients5.hivemq(broker, "rap-on", keeps);
        Mqtt5BlockingClient plain = Clients5.hivemq(broker, "rap-off", clears);
        try {
            rap.subscribeWith().topicFilter("rap/state").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(true).send();
            plain.subscribeWith().topicFilter("rap/state").qos(MqttQos.AT_LEAST_ONCE).send();
            publish(publisher, "rap/state", "on", true);
            assertTrue(keeps.expect("rap/state", "on").retain(), "Retain As Published keeps RETAIN [MQTT-3.3.1-13]");
            assertFalse(clears.expect("rap/state", "on").retain(), "RETAIN is cleared otherwise [MQTT-3.3.1-12]");
            publish(publisher, "rap/state", "", true); // clean up the retained message
        } finally {
            plain.disconnect();
            rap.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void retainHandlingDecidesWhetherRetainedMessagesAreSentOnSubscribe() {
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "rh-publisher", new Inbox5());
        publish(publisher, "rh/door", "closed", true);
        Inbox5 inbox = new Inbox5();
        Mqtt5BlockingClient client = Clients5.hivemq(broker, "rh-client", inbox);
        try {
            // 2: never [MQTT-3.3.1-11]
            client.subscribeWith().topicFilter("rh/door").qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
            assertNull(inbox.poll(QUIET));
            client.unsubscribeWith().topicFilter("rh/door").send();

            // 1: only when the subscription is new [MQTT-3.3.1-10]
            client.subscribeWith().topicFilter("rh/door").qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send();
            assertTrue(inbox.expect("rh/door", "closed").retain());
            client.subscribeWith().topicFilter("rh/door").qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).send();
            assertNull(inbox.poll(QUIET), "the subscription existed already");

            // 0: on every SUBSCRIBE, also a repeated one [MQTT-3.3.1-9]
            client.subscribeWith().topicFilter("rh/door").qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.SEND).send();
            assertTrue(inbox.expect("rh/door", "closed").retain());
            client.subscribeWith().topicFilter("rh/door").qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.SEND).send();
            assertTrue(inbox.expect("rh/door", "closed").retain());
        } finally {
            publish(publisher, "rh/door", "", true);
            client.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void subscriptionIdentifiersComeWithMatchingMessages() throws Exception {
        Inbox5 inbox = new Inbox5();
        MqttAsyncClient client = pahoWithCallback("sub-ids", inbox);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "sub-ids-publisher", new Inbox5());
        try {
            subscribe(client, "ids/+/temp", 7);
            subscribe(client, "ids/kitchen/#", 300_000);
            subscribe(client, "ids/hall/temp", 0);

            publish(publisher, "ids/kitchen/temp", "21", false);
            Inbox5.Message both = inbox.expect("ids/kitchen/temp", "21");
            assertEquals(List.of(7, 300_000), both.subscriptionIds().stream().sorted().toList(),
                    "one message carrying both matching subscriptions' identifiers [MQTT-3.3.4-4, MQTT-3.3.4-5]");

            publish(publisher, "ids/kitchen/light", "on", false);
            assertEquals(List.of(300_000), inbox.expect("ids/kitchen/light", "on").subscriptionIds());

            publish(publisher, "ids/hall/temp", "19", false);
            assertEquals(List.of(7), inbox.expect("ids/hall/temp", "19").subscriptionIds(),
                    "the subscription without an identifier adds none");
            assertNull(inbox.poll(QUIET), "overlapping subscriptions still deliver once");
        } finally {
            publisher.disconnect();
            client.disconnect().waitForCompletion();
            client.close();
        }
    }

    @Test
    void resubscribingWithoutAnIdentifierRemovesIt() throws Exception {
        Inbox5 inbox = new Inbox5();
        MqttAsyncClient client = pahoWithCallback("sub-ids-replaced", inbox);
        Mqtt5BlockingClient publisher = Clients5.hivemq(broker, "sub-ids-replaced-publisher", new Inbox5());
        try {
            subscribe(client, "idr/x", 42);
            publish(publisher, "idr/x", "1", false);
            assertEquals(List.of(42), inbox.expect("idr/x", "1").subscriptionIds());
            subscribe(client, "idr/x", 0);
            publish(publisher, "idr/x", "2", false);
            assertEquals(List.of(), inbox.expect("idr/x", "2").subscriptionIds());
        } finally {
            publisher.disconnect();
            client.disconnect().waitForCompletion();
            client.close();
        }
    }

    /** Paho routes messages with identifiers to per-subscription listeners; a plain callback sees them all. */
    private static MqttAsyncClient pahoWithCallback(String clientId, Inbox5 inbox) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(broker.uri(), clientId, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                inbox.messageArrived(topic, message);
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        client.connect(Clients5.pahoOptions()).waitForCompletion(10_000);
        return client;
    }

    private static void subscribe(MqttAsyncClient client, String filter, int identifier) throws MqttException {
        MqttProperties properties = new MqttProperties();
        if (identifier > 0) {
            properties.setSubscriptionIdentifier(identifier);
        }
        client.subscribe(new MqttSubscription[]{new MqttSubscription(filter, 1)}, null, null, properties)
                .waitForCompletion(10_000);
    }
}
