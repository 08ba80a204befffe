package io.shoal.node.protocol;

import io.netty.channel.group.ChannelGroup;
import io.shoal.node.auth.Authenticator;
import io.shoal.node.delivery.RetainedMessages;
import io.shoal.node.delivery.SessionRoutes;
import io.shoal.node.delivery.SharedSubscriptions;
import io.shoal.node.metrics.BrokerMetrics;
import io.shoal.node.session.Publisher;
import io.shoal.node.session.SessionDirectory;

/** What every connection of a node shares; {@code connections} holds every open client channel. */
public record MqttServices(MqttSettings settings, SessionDirectory directory, SessionRoutes routes,
                           SharedSubscriptions shared,
                           Publisher publisher, RetainedMessages retained, Authenticator authenticator,
                           BrokerMetrics metrics, KeepAliveMonitor keepAlive, ChannelGroup connections) {
}
