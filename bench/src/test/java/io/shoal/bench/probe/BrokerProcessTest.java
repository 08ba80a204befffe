package io.shoal.bench.probe;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerProcessTest {

    @Test
    void findsTheProcessListeningOnAPortAndReadsItsCpuAndMemory() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            BrokerProcess me = BrokerProcess.listeningOn(socket.getLocalPort()).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), me.pid());
            double before = me.cpuSeconds();
            long spin = System.nanoTime() + 300_000_000L;
            long x = 0;
            while (System.nanoTime() < spin) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            assertTrue(me.cpuSeconds() > before, "cpu time grows while this thread spins (" + x + ")");
            assertTrue(me.rssBytes() > 10L * 1024 * 1024, "a JVM holds more than 10 MiB");
        }
    }

    @Test
    void nothingIsFoundForAPortNobodyListensOn() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertTrue(BrokerProcess.listeningOn(port).isEmpty());
    }
}
