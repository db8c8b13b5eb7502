#!/bin/sh
# ebpf_exporter's examples, unchanged, run one at a time by this project's agent on the running
# kernel (issue 15): for each NAME.yaml in the directory, `bpfwatch run --config.names=NAME` on a
# free 127.0.0.1 port with its own pin path, a few seconds of generic activity (disk writes with
# fsync, short-lived processes, loopback TCP connections and UDP datagrams, a UDP datagram to a
# closed port, ICMP echoes to 127.0.0.1; processes are run through /bin/bash, which
# ebpf_exporter's exec-trace starts its traces at), one scrape, then a clean stop. One Markdown table row per
# example:
#
#   works                     the config's metrics have non-zero samples (tracing configs: spans
#                             read and received by a local OTLP endpoint)
#   loads, no samples         everything attached, nothing counted in the window
#   cannot attach: LINE       a program did not attach for a reason of the kernel (kprobe, fentry,
#                             a missing function or tracepoint); LINE is what the agent printed
#   cannot load: LINE         the agent stopped at start-up for such a reason (a kernel symbol
#                             the config names is not in /proc/kallsyms)
#   works partly (...)        some programs attached and counted, others cannot attach
#   fails: LINE               bpfwatch refused or failed where the kernel is not the cause
#
#   matrix/peer-examples.sh PEER_EXAMPLES_DIR [NAME...]    (objects built by the peer's Makefile)
#
# Environment: CHECK=1 adds, for the examples that have one (syscalls, biolatency, kfree_skb,
# udp-drops, xdp, percpu-softirq, softirq-latency, softirq-latency-net-rx, accept-latency,
# tcp-syn-backlog, tcp-syn-backlog-exp2zero, tcp-retransmit, oomkill, cfs-throttling, pci,
# inet-frags, bio-trace, shrinklat, tcp-window-clamps, unix-accept-latency, unix-socket-backlog,
# icmp-ip; regexp:
# a shrinker run, no second source), a second measurement from a source that is not BPF (strace -c,
# /proc/diskstats, /proc/net/snmp, /proc/softirqs, a cgroup's memory.events or cpu.stat, the
# number of PCI config reads made) around targeted activity, agent delta beside it. WAIT (seconds
# between serving and the activity, default 2), BPFWATCH (the launcher, default bin/bpfwatch of
# this tree), CLEANUP=unlink (the script unlinks an example's pins itself instead of running
# `bpfwatch cleanup`: in emulated guests a second JVM per example costs more than the example).
# Programs loaded by the agent are checked against `bpftool prog show` before and after each
# example; a leftover program or pin is reported and makes the exit code 1. Nothing else makes it
# non-zero: a failing example is a row, not an error. Each example's time goes to stderr.
set -eu
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 PEER_EXAMPLES_DIR [NAME...]" >&2
    exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
exec python3 - "$repo" "$@" <<'PY'
import glob, http.server, json, os, re, shutil, signal, socket, struct, subprocess, sys
import tempfile, threading, time, urllib.request

repo, examples, names = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3:]
launcher = os.environ.get("BPFWATCH", os.path.join(repo, "bin", "bpfwatch"))
wait = float(os.environ.get("WAIT", "2"))
prefix = "bpfwatch_"

# Reasons the kernel (or the host) gives rather than bpfwatch: the line says which program type,
# function or symbol this kernel lacks or refuses, or which traced binary is not on this host.
KERNEL_REASON = re.compile(r"kprobe|kretprobe|fentry|fexit|CONFIG_|not supported|"
                           r"no such (function|tracepoint|symbol)|not in this kernel|"
                           r"missing on this kernel|does not exist|"
                           r"not in /proc/kallsyms|failed to open ELF binary|has no such event|"
                           r"no USDT notes|CO-RE relocation|doesn't have \d+-th argument|invalid func unknown#|"
                           r"type \w+ is not a struct|unknown func |fewer arguments on this kernel|"
                           r"binary \S+ does not exist", re.I)


class Otlp(http.server.BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that only counts what it is sent (tracing configs)."""
    requests = 0
    body_bytes = 0

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.path == "/v1/traces":
            Otlp.requests += 1
            Otlp.body_bytes += len(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SCRATCH_SERIAL = "bpfwatch-scratch"


def scratch_disk():
    """The block device the matrix guest is given to write to (peer-examples-matrix.sh: a raw
    image with this serial), or None. Found by its serial only, so the script never writes to a
    disk of the machine it runs on."""
    for d in glob.glob("/sys/block/*"):
        for f in ("serial", "device/serial"):
            try:
                if open(os.path.join(d, f)).read().strip() == SCRATCH_SERIAL:
                    return os.path.basename(d)
            except OSError:
                pass
    return None


def disk_io(dev, mib=4):
    """Block requests on the scratch disk: mib O_DIRECT writes of 1 MiB, then the same written
    through the page cache (dirtied buffers) and fsync'ed, then read back through it once dropped."""
    import mmap
    buf = mmap.mmap(-1, 1 << 20)
    buf.write(os.urandom(1 << 20))
    fd = os.open("/dev/" + dev, os.O_RDWR | os.O_DIRECT)
    try:
        for i in range(mib):
            os.pwrite(fd, buf, i << 20)
    finally:
        os.close(fd)
    fd = os.open("/dev/" + dev, os.O_RDWR)
    try:
        for i in range(mib):
            os.pwrite(fd, os.urandom(1 << 20), (mib + i) << 20)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        for i in range(2 * mib):
            os.pread(fd, 1 << 20, i << 20)
    finally:
        os.close(fd)


def prog_ids():
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True)
    return {p["id"]: p.get("name", "") for p in json.loads(out.stdout or "[]")}


def object_programs(obj):
    """Names of the object's programs (FUNC symbols outside .text), as the kernel keeps them."""
    out = subprocess.run(["readelf", "-sW", obj], capture_output=True, text=True).stdout
    sections = {}
    for line in subprocess.run(["readelf", "-SW", obj], capture_output=True, text=True).stdout.splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)", line)
        if m:
            sections[m.group(1)] = m.group(2)
    names = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and f[4] == "GLOBAL" and sections.get(f[6], ".text") != ".text":
            names.add(f[7][:15])
    return names


def metric_names(yaml_path):
    """Metric names a config declares (counters, histograms, gauges), and whether it traces."""
    text = open(yaml_path).read()
    found, section = [], None
    for line in text.splitlines():
        m = re.match(r"^  (\w+):", line)
        if m:
            section = m.group(1)
        m = re.match(r"^    - name:\s*(\S+)", line)
        if m and section in ("counters", "histograms", "gauges"):
            found.append(m.group(1))
    return found, re.search(r"^tracing:", text, re.M) is not None


def icmp_echoes(count, ident):
    """count ICMP echo requests to 127.0.0.1 from a raw socket, each waited for (the raw socket
    sees the request it sent, then the reply: two messages received per echo on loopback)."""
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    icmp.settimeout(1)
    for seq in range(count):
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"ping"
        csum = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
        csum = (csum >> 16) + (csum & 0xFFFF)
        csum = ~(csum + (csum >> 16)) & 0xFFFF
        icmp.sendto(hdr[:2] + struct.pack("!H", csum) + hdr[4:], ("127.0.0.1", 0))
        try:
            icmp.recv(1024)
            icmp.recv(1024)
        except OSError:
            pass
    icmp.close()


def activity(tmp):
    """Generic load for the window: every kind of event an example might count."""
    # disk: 8 MiB written and fsync'ed in 1 MiB writes, then read back
    path = os.path.join(tmp, "io")
    with open(path, "wb") as f:
        for _ in range(8):
            f.write(os.urandom(1 << 20))
            f.flush()
            os.fsync(f.fileno())
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass
    os.unlink(path)
    # the matrix guest's scratch disk (its root is a 9p share, which makes no block requests)
    dev = scratch_disk()
    if dev:
        disk_io(dev)
    # processes
    for _ in range(10):
        subprocess.run(["/bin/true"])
        subprocess.run(["/bin/bash", "-c", "ls / >/dev/null; /bin/true"])
    # a Python interpreter importing modules (the usdt example counts its import probes; it
    # attaches to the python3 first on PATH, which needs USDT notes: Debian's has them)
    subprocess.run(["python3", "-c", "import json, decimal, email.parser"])
    # loopback TCP: 20 connections, 64 KiB each way
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    port = srv.getsockname()[1]

    def serve():
        for _ in range(20):
            c, _ = srv.accept()
            data = b""
            while len(data) < 65536:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
            c.sendall(data)
            c.close()
    t = threading.Thread(target=serve)
    t.start()
    for _ in range(20):
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(b"x" * 65536)
        got = 0
        while got < 65536:
            chunk = c.recv(65536)
            if not chunk:
                break
            got += len(chunk)
        c.close()
    t.join()
    srv.close()
    # loopback UDP: 100 datagrams to a bound socket, 5 to a closed port
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind(("127.0.0.1", 0))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(100):
        s.sendto(b"y" * 512, r.getsockname())
    closed = free_port()
    for _ in range(5):
        s.sendto(b"z", ("127.0.0.1", closed))
    r.close()
    s.close()
    # ICMP echo to 127.0.0.1, 5 times
    icmp_echoes(5, 0x4242)
    time.sleep(1)


def sample_sum(text, names):
    """Sum of the samples of the named families (histograms: their _count)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)", line)
        if not m:
            continue
        name = m.group(1)
        for n in names:
            if name in (prefix + n, prefix + n + "_count") or (not n.endswith("_total") and name == prefix + n + "_total"):
                try:
                    total += float(m.group(3))
                except ValueError:
                    pass
    return total


def labelled(text, family, config):
    """Samples of an agent metric for one config: {labels: value}."""
    out = {}
    for line in text.splitlines():
        m = re.match(re.escape(prefix + family) + r"\{(.*)\}\s+(\S+)", line)
        if m and ('config="%s"' % config in m.group(1) or 'name="%s"' % config in m.group(1)):
            out[m.group(1)] = float(m.group(2))
    return out


def one_line(lines):
    """The line the agent gave for a failure: its own one-liners first, then WARNING/SEVERE."""
    for pat in (r"^bpfwatch: ", r"WARNING|SEVERE"):
        for line in lines:
            if re.search(pat, line) and "serving on" not in line:
                line = re.sub(r"^\S+T\S+ (WARNING|SEVERE) \S+: ", "", line.strip())
                return line[:300]
    return lines[-1].strip()[:300] if lines else "(no output)"


# Independent checks (CHECK=1): for examples that work, a second measurement of the same events
# from a source that is not BPF, taken around the same targeted activity as two scrapes. Each
# returns one line: the agent's delta beside the other source's.
def series_sum(text, family, **match):
    total = 0.0
    for line in text.splitlines():
        m = re.match(re.escape(prefix + family) + r"(\{(.*)\})?\s+(\S+)$", line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(labels.get(k) == str(v) for k, v in match.items()):
            total += float(m.group(3))
    return total


def snmp(proto, field):
    rows = [l.split() for l in open("/proc/net/snmp") if l.startswith(proto + ":")]
    return int(rows[1][rows[0].index(field)])


def diskstats():
    """Completed requests per device by operation, by name (fields: reads 4, writes 8,
    discards 15, flushes 19)."""
    out = {}
    for l in open("/proc/diskstats"):
        f = l.split()
        ops = {"read": int(f[3]), "write": int(f[7])}
        if len(f) > 14:
            ops["discard"] = int(f[14])
        if len(f) > 18:
            ops["flush"] = int(f[18])
        out[f[2]] = ops
    return out


def softirqs():
    lines = open("/proc/softirqs").read().splitlines()
    return {l.split(":")[0].strip(): [int(x) for x in l.split(":")[1].split()] for l in lines[1:]}


def low_udp_port():
    """A free UDP port below 32768: the peer's udp-drops and xdp examples fold ephemeral ports
    (32768 and up) into one label or leave them out."""
    for port in range(20000, 32768):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free UDP port below 32768")


def udp_burst(port, count, rcvbuf=None, read=False):
    """Sends count datagrams to a socket bound on port; returns how many it received (read=True:
    the socket reads them all, an independent count of what arrived)."""
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if rcvbuf:
        r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    r.bind(("127.0.0.1", port))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    received = 0
    for _ in range(count):
        s.sendto(b"q" * 1000, ("127.0.0.1", port))
        if read:
            r.recv(2048)
            received += 1
    s.close()
    r.close()
    return received


def check_syscalls(scrape, tmp):
    a = scrape()
    code = "import os\nfor _ in range(5000): os.getpgid(0)\n"
    out = subprocess.run(["strace", "-f", "-c", "-e", "trace=getpgid", "python3", "-c", code],
                         capture_output=True, text=True).stderr
    calls = [l.split() for l in out.splitlines() if l.strip().endswith("getpgid")]
    strace = int(calls[0][3]) if calls else -1
    b = scrape()
    d = series_sum(b, "syscalls_total", syscall="getpgid") - series_sum(a, "syscalls_total", syscall="getpgid")
    return "getpgid: agent +%d, strace -c %d (every process counts; strace only its child)" % (d, strace)


def disk_deltas(before, after, agent_before, agent_after, family):
    """"dev op +agent/+diskstats" for every device and operation either side saw."""
    parts = []
    for dev in sorted(after):
        for op in ("read", "write", "flush", "discard"):
            delta = after[dev].get(op, 0) - before.get(dev, {}).get(op, 0)
            agent = (series_sum(agent_after, family, device=dev, operation=op)
                     - series_sum(agent_before, family, device=dev, operation=op))
            if delta or agent:
                parts.append("%s %s +%d/+%d" % (dev, op, agent, delta))
    return ", ".join(parts) or "no requests"


def check_biolatency(scrape, tmp):
    """On the matrix guest's scratch disk: 8 MiB written O_DIRECT, 8 MiB through the page cache
    and fsync'ed, 16 MiB read back (disk_io). Elsewhere two windows on a file under tmp: 16
    O_DIRECT writes of 1 MiB, then 16 buffered writes each followed by fsync."""
    fam = "bio_latency_seconds_count"
    dev = scratch_disk()
    if dev:
        a, da = scrape(), diskstats()
        disk_io(dev, 8)
        db, b = diskstats(), scrape()
        return "agent/`/proc/diskstats` requests on the scratch disk: " + disk_deltas(da, db, a, b, fam)
    import mmap
    path = os.path.join(tmp, "io")
    buf = mmap.mmap(-1, 1 << 20)
    buf.write(os.urandom(1 << 20))

    def direct():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_DIRECT)
        for i in range(16):
            os.pwrite(fd, buf, i << 20)
        os.close(fd)

    def synced():
        with open(path, "wb") as f:
            for _ in range(16):
                f.write(os.urandom(1 << 20))
                os.fsync(f.fileno())

    out = []
    for label, work in (("O_DIRECT", direct), ("fsync", synced)):
        a, da = scrape(), diskstats()
        work()
        db, b = diskstats(), scrape()
        out.append("%s: %s" % (label, disk_deltas(da, db, a, b, fam)))
    os.unlink(path)
    return "agent/`/proc/diskstats` requests, " + "; ".join(out)


def check_bio_trace(scrape, tmp):
    """Spans of block requests (insert, issue, complete) against the requests /proc/diskstats
    completed on the scratch disk."""
    dev = scratch_disk()
    if not dev:
        return "no scratch disk here (the matrix guests have one)"
    a, da = scrape(), diskstats()
    sent = Otlp.requests
    disk_io(dev, 8)
    time.sleep(2)  # the batch span processor sends every 500 ms
    db, b = diskstats(), scrape()
    spans = sum(labelled(b, "spans_total", "bio-trace").values()) - sum(labelled(a, "spans_total", "bio-trace").values())
    requests = sum(db[dev].values()) - sum(da.get(dev, {}).values())
    return "8 MiB O_DIRECT, 8 MiB buffered + fsync, 16 MiB read on the scratch disk: agent +%d spans " \
           "(%d OTLP requests received), `/proc/diskstats` %s +%d requests" % (
               spans, Otlp.requests - sent, dev, requests)


def check_kfree_skb(scrape, tmp):
    port = free_port()
    a, na = scrape(), snmp("Udp", "NoPorts")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(50):
        s.sendto(b"z", ("127.0.0.1", port))
    s.close()
    time.sleep(0.2)
    nb, b = snmp("Udp", "NoPorts"), scrape()
    d = series_sum(b, "kfree_skb_total", ip_proto="udp", port=port) - series_sum(a, "kfree_skb_total", ip_proto="udp", port=port)
    return "50 UDP datagrams to closed port %d: agent +%d, Udp NoPorts +%d" % (port, d, nb - na)


def check_udp_drops(scrape, tmp):
    port = low_udp_port()
    a, ea = scrape(), snmp("Udp", "RcvbufErrors")
    udp_burst(port, 500, rcvbuf=4096)
    time.sleep(0.2)
    eb, b = snmp("Udp", "RcvbufErrors"), scrape()
    d = series_sum(b, "udp_fail_queue_rcv_skbs_total", local_port=port) - series_sum(a, "udp_fail_queue_rcv_skbs_total", local_port=port)
    return "500 datagrams to an unread socket with 4 KiB SO_RCVBUF (port %d): agent +%d, Udp RcvbufErrors +%d" % (port, d, eb - ea)


def check_xdp(scrape, tmp):
    port = low_udp_port()
    a, ia = scrape(), snmp("Udp", "InDatagrams")
    received = udp_burst(port, 200, read=True)
    time.sleep(0.2)
    ib, b = snmp("Udp", "InDatagrams"), scrape()
    d = series_sum(b, "xdp_incoming_packets_total", protocol="udp", dst_port=port) - series_sum(a, "xdp_incoming_packets_total", protocol="udp", dst_port=port)
    return "200 UDP datagrams to 127.0.0.1:%d: agent +%d, received by the socket %d (Udp InDatagrams +%d, all ports)" % (
        port, d, received, ib - ia)


def softirq_compare(scrape, family, label, per_cpu):
    names = {"HI": "HI_SOFTIRQ", "TIMER": "TIMER_SOFTIRQ", "NET_TX": "NET_TX_SOFTIRQ",
             "NET_RX": "NET_RX_SOFTIRQ", "BLOCK": "BLOCK_SOFTIRQ", "IRQ_POLL": "IRQ_POLL_SOFTIRQ",
             "TASKLET": "TASKLET_SOFTIRQ", "SCHED": "SCHED_SOFTIRQ", "HRTIMER": "HRTIMER_SOFTIRQ",
             "RCU": "RCU_SOFTIRQ"}
    a, sa = scrape(), softirqs()
    time.sleep(3)
    sb, b = softirqs(), scrape()
    parts = []
    for k in ("TIMER", "NET_RX", "SCHED", "RCU"):
        if per_cpu:
            for cpu in range(len(sb[k])):
                agent = series_sum(b, family, **{label: names[k], "cpu": cpu}) - series_sum(a, family, **{label: names[k], "cpu": cpu})
                parts.append("%s cpu%d +%d/+%d" % (k, cpu, agent, sb[k][cpu] - sa[k][cpu]))
        else:
            agent = series_sum(b, family, **{label: names[k]}) - series_sum(a, family, **{label: names[k]})
            parts.append("%s +%d/+%d" % (k, agent, sum(sb[k]) - sum(sa[k])))
    return "agent/`/proc/softirqs` over 3 s: " + ", ".join(parts)


def check_net_rx(scrape, tmp):
    a, sa = scrape(), softirqs()
    time.sleep(3)
    sb, b = softirqs(), scrape()
    raised = series_sum(b, "softirq_raised_total") - series_sum(a, "softirq_raised_total")
    served = series_sum(b, "softirq_serviced_total") - series_sum(a, "softirq_serviced_total")
    return "over 3 s: agent NET_RX raised +%d, serviced +%d; `/proc/softirqs` NET_RX +%d" % (
        raised, served, sum(sb["NET_RX"]) - sum(sa["NET_RX"]))


def trigger_regexp(scrape, tmp):
    """No second source here: this only makes reclaim happen once (dropping reclaimable slab
    objects runs the shrinkers) to show the sub-match labels the peer's regexp decoder gives."""
    a = scrape()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("2\n")
    b = scrape()
    fam = "mm_shrink_slab_events_total"
    got = {}
    for line in b.splitlines():
        m = re.match(re.escape(prefix + fam) + r'\{comm="([^"]*)",?\}\s+(\S+)', line)
        if m:
            got[m.group(1)] = float(m.group(2)) - series_sum(a, fam, comm=m.group(1))
    return "after `echo 2 > /proc/sys/vm/drop_caches` (no second source): " + ", ".join(
        "%s +%d" % kv for kv in sorted(got.items()) if kv[1]) if got else "no shrinker ran"



def tcp_handshakes(count):
    """count loopback TCP connections to a fresh listener, each accepted."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(count)
    clients = [socket.create_connection(("127.0.0.1", srv.getsockname()[1])) for _ in range(count)]
    for _ in range(count):
        srv.accept()[0].close()
    for c in clients:
        c.close()
    srv.close()


def check_handshakes(family):
    """Agent histogram observations (one per completed handshake or accept) beside the kernel's
    Tcp PassiveOpens over 30 loopback connections."""
    def check(scrape, tmp):
        # Each scrape is a connection the agent accepts before it collects: read PassiveOpens
        # after each scrape, so both sides count the second scrape's connection.
        a = scrape()
        pa = snmp("Tcp", "PassiveOpens")
        tcp_handshakes(30)
        b = scrape()
        pb = snmp("Tcp", "PassiveOpens")
        return "30 loopback connections and a scrape: agent +%d, `Tcp PassiveOpens` +%d" % (
            series_sum(b, family) - series_sum(a, family), pb - pa)
    return check


def check_retransmit(scrape, tmp):
    """SYN retransmits: a listener whose accept queue is full drops further SYNs, and the
    connecting side sends its SYN again after 1 s and 3 s."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    addr = srv.getsockname()
    first = socket.create_connection(addr)  # fills the queue (never accepted)
    time.sleep(0.2)
    a, ra = scrape(), snmp("Tcp", "RetransSegs")
    late = socket.socket()
    late.setblocking(False)
    late.connect_ex(addr)
    time.sleep(3.6)
    late.close()
    rb, b = snmp("Tcp", "RetransSegs"), scrape()
    first.close()
    srv.close()
    agent = series_sum(b, "tcp_retransmit_ipv4_packets_total") - series_sum(a, "tcp_retransmit_ipv4_packets_total")
    return "SYNs to a full listen queue for 3.6 s: agent +%d, `Tcp RetransSegs` +%d" % (agent, rb - ra)


def cgroup2_root():
    for line in open("/proc/mounts"):
        f = line.split()
        if f[2] == "cgroup2":
            return f[1]
    raise RuntimeError("no cgroup2 mount")


def child_cgroup(controller, name):
    """A cgroup of this run under the cgroup2 root, with the controller enabled for it."""
    root = cgroup2_root()
    with open(os.path.join(root, "cgroup.subtree_control"), "w") as f:
        f.write("+" + controller)
    path = os.path.join(root, "%s-%d" % (name, os.getpid()))
    os.makedirs(path, exist_ok=True)
    return root, path


def cgroup_counter(path, file, key):
    for line in open(os.path.join(path, file)):
        f = line.split()
        if f[0] == key:
            return int(f[1])
    return 0


def run_in_cgroup(path, code, timeout):
    """Runs python3 -c code with its pid in the cgroup before it starts."""
    return subprocess.run(["/bin/sh", "-c", 'echo $$ > "%s/cgroup.procs" && exec python3 -c "$0"' % path, code],
                          capture_output=True, timeout=timeout)


def check_oomkill(scrape, tmp):
    root, path = child_cgroup("memory", "peer-oom")
    try:
        with open(os.path.join(path, "memory.max"), "w") as f:
            f.write(str(32 << 20))
        if os.path.exists(os.path.join(path, "memory.swap.max")):
            with open(os.path.join(path, "memory.swap.max"), "w") as f:
                f.write("0")
        a, ka = scrape(), cgroup_counter(path, "memory.events", "oom_kill")
        done = run_in_cgroup(path, "b = bytearray(256 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1", 120)
        kb, b = cgroup_counter(path, "memory.events", "oom_kill"), scrape()
        return "a process touching 256 MiB in a cgroup with memory.max 32 MiB (exit %d): agent +%d, " \
               "the cgroup's `memory.events` oom_kill +%d" % (
                   done.returncode, series_sum(b, "oom_kills_total") - series_sum(a, "oom_kills_total"), kb - ka)
    finally:
        os.rmdir(path)


def check_cfs_throttling(scrape, tmp):
    root, path = child_cgroup("cpu", "peer-cfs")
    try:
        with open(os.path.join(path, "cpu.max"), "w") as f:
            f.write("10000 100000")
        a, ta = scrape(), cgroup_counter(path, "cpu.stat", "nr_throttled")
        run_in_cgroup(path, "import time\nend = time.time() + 2\nwhile time.time() < end: pass", 60)
        time.sleep(0.3)  # the last throttled period ends (unthrottle) within 100 ms
        tb, b = cgroup_counter(path, "cpu.stat", "nr_throttled"), scrape()
        # Not the same event: the example counts unthrottles, nr_throttled counts periods spent
        # throttled (one throttle can last more than one period): close, not equal.
        return "2 s of a busy loop in a cgroup with cpu.max 10ms/100ms: agent +%d unthrottles, the " \
               "cgroup's `cpu.stat` nr_throttled +%d periods" % (
                   series_sum(b, "cfs_throttling_seconds_count") - series_sum(a, "cfs_throttling_seconds_count"),
                   tb - ta)
    finally:
        os.rmdir(path)


def check_pci(scrape, tmp):
    """One aligned 4-byte read of each PCI device's config space (offset 0: vendor and device)."""
    devices = sorted(glob.glob("/sys/bus/pci/devices/*/config"))
    a = scrape()
    for d in devices:
        fd = os.open(d, os.O_RDONLY)  # unbuffered: exactly one read of 4 bytes
        os.read(fd, 4)
        os.close(fd)
    b = scrape()
    fam = "pci_user_read_config_ops_total"
    return "4 bytes of config space from each of %d devices: agent +%d" % (
        len(devices), series_sum(b, fam) - series_sum(a, fam))



def check_inet_frags(scrape, tmp):
    """20 UDP datagrams of 4000 bytes over the loopback of a network namespace of this run whose
    MTU is 1280: each arrives as 4 fragments; the namespace's `Ip ReasmReqds` counts them."""
    ns = "peer-frags-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "mtu", "1280", "up"], check=True)
        code = ("import socket\nr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                "r.bind(('127.0.0.1', 0))\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                "for _ in range(20):\n    s.sendto(b'f' * 4000, r.getsockname())\n    r.recv(8192)\n"
                "print(open('/proc/net/snmp').read())\n")
        a = scrape()
        out = subprocess.run(["ip", "netns", "exec", ns, "python3", "-c", code], capture_output=True,
                             text=True, check=True).stdout
        b = scrape()
        rows = [l.split() for l in out.splitlines() if l.startswith("Ip:")]
        reasm = int(rows[1][rows[0].index("ReasmReqds")])
        names = metric_names(os.path.join(examples, "inet-frags.yaml"))[0]
        agent = sum(series_sum(b, n) - series_sum(a, n) for n in names)
        return "20 datagrams of 4000 bytes over a 1280-byte MTU loopback in a netns: agent +%d, that " \
               "namespace's `Ip ReasmReqds` +%d" % (agent, reasm)
    finally:
        subprocess.run(["ip", "netns", "del", ns])


def netstat(proto, field):
    rows = [l.split() for l in open("/proc/net/netstat") if l.startswith(proto + ":")]
    return int(rows[1][rows[0].index(field)]) if field in rows[0] else 0


def check_shrinklat(scrape, tmp):
    """Reclaim in a memory cgroup of 16 MiB: a process there reads 64 MiB through the page cache
    (the scratch disk in the matrix guest, whose /tmp is a tmpfs; a file under tmp elsewhere), so
    the cgroup's own page cache is reclaimed as it reads. The kernel counts pages scanned by reclaim
    (memory.stat pgscan), not shrink_node calls: a second source that reclaim ran, not a count."""
    dev = scratch_disk()
    if dev:
        source = "/dev/" + dev
    else:
        source = os.path.join(tmp, "reclaim")
        with open(source, "wb") as f:
            for _ in range(64):
                f.write(os.urandom(1 << 20))
            os.fsync(f.fileno())
    root, path = child_cgroup("memory", "peer-reclaim")
    try:
        with open(os.path.join(path, "memory.max"), "w") as f:
            f.write(str(16 << 20))
        a, sa = scrape(), cgroup_counter(path, "memory.stat", "pgscan")
        code = ("import os\nfd = os.open(%r, os.O_RDONLY)\nos.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\n"
                "for i in range(64): os.pread(fd, 1 << 20, i << 20)\n") % source
        done = run_in_cgroup(path, code, 120)
        sb, b = cgroup_counter(path, "memory.stat", "pgscan"), scrape()
        return "64 MiB read through the page cache in a cgroup with memory.max 16 MiB (exit %d): agent +%d " \
               "shrink_node calls, the cgroup's `memory.stat` pgscan +%d pages" % (
                   done.returncode, series_sum(b, "shrink_node_latency_seconds_count")
                   - series_sum(a, "shrink_node_latency_seconds_count"), sb - sa)
    finally:
        os.rmdir(path)
        if not dev:
            os.unlink(source)


def check_tcp_window_clamps(scrape, tmp):
    """A loopback connection whose receiver (SO_RCVBUF 4 KiB, so its rcv_ssthresh stays under the
    example's 32 KiB) never reads, while the sender writes 1000 bytes every 5 ms for 1 s (no Nagle):
    a data segment that arrives in sequence is scheduled against the receive memory unless it is
    the first into an empty queue, the fast path took it, or the window was already shut; the
    example counts those schedules. The kernel counts no such event: TCP_INFO gives the receiver's
    data segments (a bound) and its rcv_ssthresh (the clamp)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited by the accepted socket
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    a = scrape()
    c = socket.create_connection(srv.getsockname())
    quiet, _ = srv.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.setblocking(False)
    for _ in range(200):
        try:
            c.send(b"w" * 1000)
        except BlockingIOError:
            pass
        time.sleep(0.005)
    # struct tcp_info (linux/tcp.h): rcv_ssthresh at byte 64, data_segs_in at byte 152 (since 4.6).
    # Read from the socket itself: `ss` needs the inet_diag modules, which the guests do not load.
    info = quiet.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 192)
    ssthresh, = struct.unpack_from("I", info, 64)
    segs, = struct.unpack_from("I", info, 152)
    b = scrape()
    c.close()
    quiet.close()
    srv.close()
    return "1000-byte writes for 1 s to a loopback receiver with SO_RCVBUF 4 KiB that never reads: agent " \
           "+%d clamped schedules; the receiver's TCP_INFO: %d data segments in (at most that many are " \
           "scheduled: the first, those the fast path queues and those past the window are not), " \
           "rcv_ssthresh %d (under the example's 32 KiB: clamped)" % (
               series_sum(b, "tcp_window_clamps_total") - series_sum(a, "tcp_window_clamps_total"), segs, ssthresh)


def unix_connects_in_private_run(path, connects, accept):
    """connects connections to a UNIX stream listener bound at path, each accepted or all left in
    its backlog, in a mount namespace of its own with a tmpfs on /run (so the machine's own /run is
    left alone; /var/run is /run). Returns how many it connected (and accepted), as the process
    counted them, or why it could not."""
    code = ("import os, socket\npath = %r\nos.makedirs(os.path.dirname(os.path.realpath(path)), exist_ok=True)\n"
            "s = socket.socket(socket.AF_UNIX)\ns.bind(path)\ns.listen(64)\n"
            "cs = [socket.socket(socket.AF_UNIX) for _ in range(%d)]\n"
            "for c in cs: c.connect(path)\n"
            "n = len(cs)\nif %r:\n    n = 0\n    for _ in cs:\n        s.accept()[0].close()\n        n += 1\n"
            "print(n)\n") % (path, connects, accept)
    out = subprocess.run(["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                          'mount -t tmpfs tmpfs /run && exec python3 -c "$0"', code],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip() or "none (%s)" % out.stderr.strip()[-120:]


def check_unix_accept_latency(scrape, tmp):
    """20 connections accepted on a UNIX stream socket at one of the paths the example watches
    (/run/dbus/system_bus_socket). Independent count: the accepts the listener made."""
    a = scrape()
    accepted = unix_connects_in_private_run("/run/dbus/system_bus_socket", 20, True)
    b = scrape()
    fam = "unix_accept_latency_seconds_count"
    return "20 connections to a listener at /run/dbus/system_bus_socket: agent +%d, accepts made %s" % (
        series_sum(b, fam) - series_sum(a, fam), accepted)


def check_unix_socket_backlog(scrape, tmp):
    """20 connections to a UNIX stream listener at the path the example watches
    (/var/run/docker.sock), none accepted: each connect looks the listener up once (the example
    observes its backlog then: 0, 1, ... 19). Independent count: the connects made."""
    a = scrape()
    connected = unix_connects_in_private_run("/var/run/docker.sock", 20, False)
    b = scrape()
    fam = "unix_socket_backlog_count"
    return "20 connections left in the backlog of a listener at /var/run/docker.sock: agent +%d, connects " \
           "made %s" % (series_sum(b, fam) - series_sum(a, fam), connected)


def check_icmp_ip(scrape, tmp):
    """10 ICMP echoes to 127.0.0.1 (20 ICMP messages received: requests and replies) with the
    kernel's BPF run counts on: the program runs once per message, counted or not. The example's
    programs are kprobes written with BPF_PROG (the fentry form), which reads the first argument
    from the wrong place, so its probe read fails and it counts nothing: the example's own bug."""
    stats = "/proc/sys/kernel/bpf_stats_enabled"
    old = open(stats).read().strip()
    with open(stats, "w") as f:
        f.write("1")
    try:
        a, ia = scrape(), snmp("Icmp", "InMsgs")
        icmp_echoes(10, 0x4243)
        ib, b = snmp("Icmp", "InMsgs"), scrape()
    finally:
        with open(stats, "w") as f:
            f.write(old)
    runs = sum(v for k, v in labelled(b, "ebpf_program_run_count_total", "icmp-ip").items() if "icmp_rcv" in k) \
        - sum(v for k, v in labelled(a, "ebpf_program_run_count_total", "icmp-ip").items() if "icmp_rcv" in k)
    return "10 echoes to 127.0.0.1: agent +%d counted, its icmp_rcv program ran +%d times, `Icmp InMsgs` +%d " \
           "(the example reads its kprobe argument the fentry way, BPF_PROG: its own bug)" % (
               series_sum(b, "icmp4_received_packets_total") - series_sum(a, "icmp4_received_packets_total"),
               runs, ib - ia)


CHECKS = {
    "accept-latency": check_handshakes("accept_latency_seconds_count"),
    "tcp-syn-backlog": check_handshakes("tcp_syn_backlog_count"),
    "tcp-syn-backlog-exp2zero": check_handshakes("tcp_syn_backlog_count"),
    "tcp-retransmit": check_retransmit,
    "oomkill": check_oomkill,
    "cfs-throttling": check_cfs_throttling,
    "pci": check_pci,
    "inet-frags": check_inet_frags,
    "regexp": trigger_regexp,
    "syscalls": check_syscalls,
    "biolatency": check_biolatency,
    "bio-trace": check_bio_trace,
    "shrinklat": check_shrinklat,
    "tcp-window-clamps": check_tcp_window_clamps,
    "unix-accept-latency": check_unix_accept_latency,
    "unix-socket-backlog": check_unix_socket_backlog,
    "icmp-ip": check_icmp_ip,
    "kfree_skb": check_kfree_skb,
    "udp-drops": check_udp_drops,
    "xdp": check_xdp,
    "percpu-softirq": lambda scrape, tmp: softirq_compare(scrape, "softirqs_total", "vec", True),
    "softirq-latency-net-rx": check_net_rx,
    "softirq-latency": lambda scrape, tmp: softirq_compare(scrape, "softirq_service_latency_seconds_count", "kind", False),
}


def run_example(name, otlp_port):
    yaml_path = os.path.join(examples, name + ".yaml")
    metrics, tracing = metric_names(yaml_path)
    obj = os.path.join(examples, name + ".bpf.o")
    ours = object_programs(obj) if os.path.exists(obj) else set()
    before = prog_ids()
    tmp = tempfile.mkdtemp(prefix="peer-examples-")
    pin = tempfile.mkdtemp(prefix="peer-examples-", dir="/sys/fs/bpf")
    port = free_port()
    log = open(os.path.join(tmp, "agent.log"), "w+")
    env = dict(os.environ, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:%d" % otlp_port,
               OTEL_BSP_SCHEDULE_DELAY="500")
    agent = subprocess.Popen([launcher, "run", "--config.dir=" + examples, "--config.names=" + name,
                              "--web.listen-address=127.0.0.1:%d" % port, "--bpf.pin-path=" + pin],
                             stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
    status, text = None, ""
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            log.seek(0)
            out = log.read()
            if agent.poll() is not None:
                line = one_line(out.splitlines())
                kind = "cannot load" if KERNEL_REASON.search(line) else "fails"
                status = "%s: %s (exit %d)" % (kind, line, agent.returncode)
                break
            if "serving on" in out:
                break
            time.sleep(0.3)
        else:
            status = "fails: not serving after 120 s"
        if status is None:
            time.sleep(wait)
            sent_before = Otlp.requests
            activity(tmp)
            time.sleep(1.5 if tracing else 0)
            text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30).read().decode()
            log.seek(0)
            lines = log.read().splitlines()
            errors = sum(labelled(text, "config_errors", name).values())
            attached = labelled(text, "ebpf_program_attached", name)
            not_attached = [k for k, v in attached.items() if v == 0]
            total = sample_sum(text, metrics)
            spans = sum(labelled(text, "spans_total", name).values())
            counted = total > 0 or (tracing and spans > 0)
            if errors or not_attached or (not attached and not tracing and not counted):
                line = one_line(lines)
                kind = "cannot attach" if KERNEL_REASON.search(line) else "fails"
                status = "%s: %s" % (kind, line)
                if counted:
                    status = "works partly (%d of %d programs attached; %s)" % (
                        len(attached) - len(not_attached), len(attached), status)
            elif counted:
                parts = []
                if metrics:
                    parts.append("samples sum %g" % total)
                if tracing:
                    parts.append("%d spans, %d OTLP requests" % (spans, Otlp.requests - sent_before))
                status = "works (" + ", ".join(parts) + ")"
            else:
                status = "loads, no samples"
            if os.environ.get("CHECK") and name in CHECKS and status.startswith(("works", "loads")):
                scrape = lambda: urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30).read().decode()
                try:
                    status += "; check: " + CHECKS[name](scrape, tmp)
                except Exception as e:  # a check that breaks is reported in its row, not fatal
                    status += "; check failed: %r" % e
    finally:
        if agent.poll() is None:
            agent.send_signal(signal.SIGTERM)
            try:
                agent.wait(30)
            except subprocess.TimeoutExpired:
                agent.kill()
                agent.wait()
        if os.environ.get("CLEANUP") == "unlink":
            # In emulated guests a second JVM per example costs more than the example: unlink the
            # pins directly (the program check below still proves nothing stayed loaded).
            for d, subdirs, files in os.walk(pin, topdown=False):
                for f in files:
                    os.unlink(os.path.join(d, f))
                for sd in subdirs:
                    os.rmdir(os.path.join(d, sd))
        else:
            subprocess.run([launcher, "cleanup", "--bpf.pin-path=" + pin], capture_output=True)
        leftovers = []
        try:
            os.rmdir(pin)  # `cleanup` removes it when it pinned something
        except FileNotFoundError:
            pass
        except OSError as e:
            leftovers.append("pin dir %s: %s" % (pin, e.strerror))
        after = prog_ids()
        left = [i for i in after if i not in before and after[i] in ours]
        if left:
            leftovers.append("programs still loaded: " + ", ".join("%d %s" % (i, after[i]) for i in left))
        log.close()
        keep = os.environ.get("KEEP_LOGS")
        if keep:
            os.makedirs(keep, exist_ok=True)
            shutil.copy(os.path.join(tmp, "agent.log"), os.path.join(keep, name + ".log"))
            with open(os.path.join(keep, name + ".metrics"), "w") as f:
                f.write(text)
        shutil.rmtree(tmp, ignore_errors=True)
    return status, leftovers


otlp = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Otlp)
threading.Thread(target=otlp.serve_forever, daemon=True).start()
all_names = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(examples, "*.yaml")))
unknown = [n for n in names if n not in all_names]
if unknown:
    print("peer-examples: no such example in %s: %s" % (examples, ", ".join(unknown)), file=sys.stderr)
    sys.exit(2)
kernel = os.uname().release
print("| example | on %s |" % kernel)
print("| --- | --- |")
dirty = False
for name in names or all_names:
    started = time.time()
    status, leftovers = run_example(name, otlp.server_address[1])
    print("peer-examples: %s took %.0f s" % (name, time.time() - started), file=sys.stderr, flush=True)
    if leftovers:
        dirty = True
        status += " **left behind: %s**" % "; ".join(leftovers)
    print("| %s | %s |" % (name, status.replace("|", "\\|")), flush=True)
otlp.shutdown()
sys.exit(1 if dirty else 0)
PY
