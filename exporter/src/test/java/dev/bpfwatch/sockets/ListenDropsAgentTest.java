package dev.bpfwatch.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfwatch.agent.Agent;
import dev.bpfwatch.agent.AgentOptions;
import dev.bpfwatch.testing.Bpftool;
import dev.bpfwatch.testing.Scrape;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The module inside the agent, scraped over HTTP: the agent's own listener shows with its application. */
class ListenDropsAgentTest {
    @Test
    void agentServesItsOwnListener() {
        String body;
        int port;
        try (Agent agent = Agent.start(AgentOptions.defaults(new InetSocketAddress("127.0.0.1", 0)),
                List.of(ListenDropsModule.factory()))) {
            port = agent.port();
            body = Scrape.metrics(port);
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        assertTrue(body.lines().anyMatch(l -> l.startsWith("bpfwatch_tcp_accept_queue_max{")
                        && l.contains("address=\"127.0.0.1\",port=\"" + port + "\",comm=\"java\",pid=\"" + pid + "\"")),
                "the agent's HTTP listener, owned by this JVM");
        assertTrue(body.contains("# TYPE bpfwatch_socket_drops_total counter")
                || body.contains("# TYPE bpfwatch_socket_drops counter"), "drop reasons per socket are served");
        assertEquals(0, Bpftool.countOwnPrograms("dump_tcp_listeners"), "closing the agent unloads the iterator");
    }
}
