package dev.bpfwatch.testing;

import java.util.List;

/** A {@link FloodMain} child: a receiver in another process that runs traffic rounds on request. */
public final class FloodChild implements AutoCloseable {
    private final ChildProcess child;
    private final long pid;
    private final int port;

    private FloodChild(ChildProcess child) {
        this.child = child;
        String[] ready = child.await("READY").split(" ");
        this.pid = Long.parseLong(ready[0]);
        this.port = Integer.parseInt(ready[1]);
    }

    public static FloodChild start(List<String> prefix, boolean ipv6) {
        return new FloodChild(ChildProcess.start(prefix, FloodMain.class.getName(), ipv6 ? "ipv6" : "ipv4"));
    }

    /** The receiver's own pid (under `ip netns exec` the same process, but read from the child to be sure). */
    public long pid() {
        return pid;
    }

    public int port() {
        return port;
    }

    public Round round(String floodDst, String legitDst, long millis, int legitPps) {
        child.send("go " + floodDst + " " + legitDst + " " + millis + " " + legitPps);
        String[] r = child.await("RESULT").split(" ");
        return new Round(new UdpFlood.Sent(Long.parseLong(r[0]), Long.parseLong(r[1]), Long.parseLong(r[2])),
                Long.parseLong(r[3]), Long.parseLong(r[4]));
    }

    /** One round: what was sent and what the receiver got. */
    public record Round(UdpFlood.Sent sent, long floodReceived, long legitReceived) {
        public long legitLost() {
            return sent.legit() - legitReceived;
        }
    }

    @Override
    public void close() {
        child.close();
    }
}
