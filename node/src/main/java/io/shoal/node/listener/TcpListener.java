package io.shoal.node.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.shoal.node.protocol.MqttServices;

import java.net.InetSocketAddress;

/** Plain MQTT over TCP. */
public final class TcpListener implements Listener {

    private final Channel serverChannel;

    private TcpListener(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /** Binds {@code host:port} and starts accepting; fails if the port cannot be bound. */
    public static TcpListener bind(String host, int port, EventLoopGroup acceptor, EventLoopGroup workers,
                                   MqttServices services) throws InterruptedException {
        Channel channel = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that does not read makes its channel unwritable: we stop writing to it
                // (messages wait in its bounded queue) and stop reading from it.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new MqttChannelInitializer(services))
                .bind(host, port)
                .sync()
                .channel();
        return new TcpListener(channel);
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }
}
