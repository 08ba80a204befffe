package io.shoal.bench.routes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** The routes command's node processes run this; not for use by hand. */
@Command(name = "route-node", hidden = true)
public final class RouteNodeCommand implements Callable<Integer> {

    @Option(names = "--index", required = true)
    int index;

    @Option(names = "--nodes", required = true)
    int nodes;

    @Option(names = "--dir", required = true)
    Path dir;

    @Option(names = "--fast-gossip")
    boolean fastGossip;

    @Option(names = "--akka")
    List<String> akka = List.of();

    @Override
    public Integer call() throws Exception {
        RouteNode.run(index, nodes, dir, RouteNodeConfig.of(fastGossip, akka));
        return 0;
    }
}
