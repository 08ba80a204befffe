package io.shoal.node.listener;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.shoal.node.codec.ProtocolNameCheck;
import io.shoal.node.protocol.MqttConnection;
import io.shoal.node.protocol.MqttServices;

/**
 * The MQTT pipeline of a connection: netty's codec (size limit checked from the fixed header,
 * strict UTF-8), the protocol handler.
 */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** MQTT 3.1 caps client identifiers at 23 characters; 3.1.1 and 5 leave the limit to the server. */
    private static final int MQTT_3_1_MAX_CLIENT_ID_LENGTH = 23;

    private final MqttServices services;

    MqttChannelInitializer(MqttServices services) {
        this.services = services;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        // Many small writes (acks, fan-out) become one syscall per batch.
        pipeline.addLast("flush", new FlushConsolidationHandler(256, true));
        pipeline.addLast("protocol-name", new ProtocolNameCheck());
        pipeline.addLast("decoder", new MqttDecoder(services.settings().maxPacketSize(), MQTT_3_1_MAX_CLIENT_ID_LENGTH,
                true));
        pipeline.addLast("encoder", MqttEncoder.INSTANCE);
        pipeline.addLast("mqtt", new MqttConnection(services));
        services.connections().add(channel); // removed by the group when the channel closes
    }
}
