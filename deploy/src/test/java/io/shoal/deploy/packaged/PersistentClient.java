package io.shoal.deploy.packaged;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A HiveMQ MQTT 5 client with a persistent session (clean start false, session expiry 300 s) that
 * reconnects by itself, with the same session, whenever its connection drops, until it is closed.
 * The client library re-sends its unacknowledged QoS 1 messages when the session is resumed, as
 * MQTT requires. Each client connects from a loopback address of its own, so that HAProxy's log says
 * which node carried which client.
 */
final class PersistentClient implements AutoCloseable {

    static final long SESSION_EXPIRY_SECONDS = 300;
    /**
     * QoS 1 messages a client has in flight (its Send Maximum), below the broker's Receive Maximum
     * of 1000: a publisher that reconnects sends what it queued meanwhile in windows of this size,
     * not all at once. Without it, two publishers flushing about 1,000 messages each into one node
     * overflowed its subscribers' queues (max-queued-messages): a documented, counted drop, not the
     * loss to node failure that the tests using this client look for.
     */
    private static final int SEND_MAXIMUM = 100;
    private static final long RECONNECT_DELAY_MILLIS = 250;

    private final String id;
    private final Mqtt5AsyncClient client;
    /** Session present, for each CONNACK after the first. */
    private final List<Boolean> resumed = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile int connects;

    /**
     * @param sourceAddress the local address to connect from (a 127.x.y.z of its own)
     * @param onMessage     every PUBLISH received, also those of a resumed session
     */
    PersistentClient(String id, String host, int port, String sourceAddress, Consumer<Mqtt5Publish> onMessage) {
        this.id = id;
        this.client = MqttClient.builder().useMqttVersion5().identifier(id)
                .transportConfig().serverHost(host).serverPort(port).localAddress(address(sourceAddress))
                .mqttConnectTimeout(10, TimeUnit.SECONDS).applyTransportConfig()
                .addConnectedListener(context -> {
                    if (closed) { // a reconnection that was under way when it was closed
                        mqtt().disconnect();
                    } else if (connects++ > 0) {
                        resumed.add(((Mqtt5ClientConnectedContext) context).getConnAck().isSessionPresent());
                    }
                })
                .addDisconnectedListener(context -> {
                    if (!closed) {
                        context.getReconnector().reconnect(true).delay(RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                    }
                })
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, onMessage);
    }

    /** Connects (retrying until it succeeds) and waits for the CONNACK. */
    PersistentClient connect() throws Exception {
        client.connectWith().cleanStart(false).sessionExpiryInterval(SESSION_EXPIRY_SECONDS)
                .restrictions().sendMaximum(SEND_MAXIMUM).applyRestrictions()
                .send().get(60, TimeUnit.SECONDS);
        return this;
    }

    String id() {
        return id;
    }

    Mqtt5AsyncClient mqtt() {
        return client;
    }

    boolean connected() {
        return client.getState().isConnected();
    }

    /** Reconnections so far, each with whether the broker still had the session. */
    List<Boolean> resumedSessions() {
        return List.copyOf(resumed);
    }

    @Override
    public void close() {
        closed = true;
        if (client.getState().isConnected()) {
            client.disconnect().orTimeout(5, TimeUnit.SECONDS).exceptionally(failure -> null).join();
        }
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
