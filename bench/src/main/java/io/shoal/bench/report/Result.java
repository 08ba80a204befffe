package io.shoal.bench.report;

/** A benchmark outcome that can be printed as a table row or written as JSON. */
public sealed interface Result permits TrafficResult, ConnectionsResult, OfflineResult, TakeoverResult {

    String broker();
}
