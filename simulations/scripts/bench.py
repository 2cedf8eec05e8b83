#!/usr/bin/env python3
"""Skein beside its peers, one command, one run: raw veth, wireguard-go, Nebula and Skein, each between the
same two network namespaces joined by a veth pair (underlay 198.18.0.0/24).

For each path and each repetition:
  - iperf3 TCP, 1 stream and 4 streams, both directions (Gbit/s);
  - UDP: the highest of a fixed ladder of send rates at which at most 1% is lost (Gbit/s received);
  - ping round-trip time, idle and under a 1-stream TCP load (ms);
  - CPU seconds (user + system) the tunnel's processes spend per gigabyte of 1-stream TCP;
  - the tunnel's resident memory once up, before any load, and after the transfers (MiB, the larger end).
Two wireguard-go columns: "wireguard-go 2025" is the current release with TUN and UDP offloads (WG_MODERN, default
../shared/bin/wireguard-go-modern), the anchor Skein is measured against; "wireguard-go" is Debian's (2022).
Skein runs twice: as it comes, and with a firewall of 21 rules on both nodes ("skein, firewall"); then a mixed
pair, Skein on A with today's wireguard-go on B as one of its `wireguard-peers` (issue 23: it should move at
least 90% of the slower of the two same-kind pairs, both ways).
Then a table: median (min-max) over the repetitions, Skein's ratio to each peer's median, and the firewall's cost.

    sudo simulations/scripts/bench.py                REPS=3, DUR=5 s per iperf3 run
    REPS=5 DUR=10 OUT=/tmp/bench.md sudo simulations/scripts/bench.py
    NO_FILTER=1 sudo simulations/scripts/bench.py    ... and Skein without its nftables overlay filter
    STEPS=1 sudo simulations/scripts/bench.py        ... and Skein with libsodium's cipher, and with the pure-Java
                                                     one, with and without its TUN and UDP offloads
    WORKERS=1 sudo simulations/scripts/bench.py      ... and Skein sealing and opening on one thread per direction
    ONLY=skein,wireguard-go-2025 sudo simulations/scripts/bench.py   only these paths (names as in PATHS)
    PROFILE=1 sudo simulations/scripts/bench.py      Skein only: per-thread CPU and a CPU profile of both nodes
                                                     (async-profiler from Maven Central, else JFR)

Needs root and the Debian packages iproute2 iperf3 wireguard-tools wireguard-go nebula (.ci/run installs all
but nebula; a missing peer is reported and skipped). Everything it creates is removed on exit.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPS = int(os.environ.get("REPS", "3"))
DUR = int(os.environ.get("DUR", "5"))
WG_MODERN = os.environ.get("WG_MODERN", os.path.join(os.path.dirname(ROOT), "shared", "bin", "wireguard-go-modern"))
A, B = "skein-bench-a", "skein-bench-b"
UDP_LADDER_MBIT = [4000, 3000, 2000, 1500, 1000, 750, 500, 250, 100]
UDP_PAYLOAD = 1200  # fits every path's MTU (Nebula's is 1300)


def sh(cmd, check=True, timeout=120):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd}: {r.stdout}{r.stderr}")
    return r.stdout


def ns(name, cmd, **kw):
    return sh(f"ip netns exec {name} {cmd}", **kw)


class Work:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="skein-bench-")
        self.procs = []

    def spawn(self, name, cmd, log):
        p = subprocess.Popen(f"exec ip netns exec {name} {cmd}", shell=True, stdout=open(log, "w"),
                             stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []


def underlay():
    for n in (A, B):
        sh(f"ip netns del {n}", check=False)
        sh(f"ip netns add {n}")
        sh(f"ip -n {n} link set lo up")
    sh(f"ip link add vA netns {A} type veth peer name vB netns {B}")
    sh(f"ip -n {A} addr add 198.18.0.1/24 dev vA")
    sh(f"ip -n {B} addr add 198.18.0.2/24 dev vB")
    sh(f"ip -n {A} link set vA up")
    sh(f"ip -n {B} link set vB up")


def teardown():
    for n in (A, B):
        sh(f"ip netns pids {n} 2>/dev/null | xargs -r kill -9", check=False)
        sh(f"ip netns del {n}", check=False)


def tunnel_pids(procs):
    """The pids of the tunnel's processes (the spawned commands and their children)."""
    pids = []
    for p in procs:
        pids.append(p.pid)
        pids += [int(x) for x in sh(f"pgrep -P {p.pid}", check=False).split()]
    return pids


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except (FileNotFoundError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_mib(pids):
    best = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        best = max(best, int(line.split()[1]) / 1024)
        except FileNotFoundError:
            pass
    return best


def iperf(server, args, seconds=DUR):
    ns(B, f"iperf3 -s -1 -D -B {server}")
    time.sleep(0.4)
    out = ns(A, f"timeout {seconds + 30} iperf3 -c {server} -t {seconds} -J {args}", check=False,
             timeout=seconds + 40)
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        sh(f"ip netns exec {B} pkill -x iperf3", check=False)
        return None


def tcp(server, args):
    d = iperf(server, args)
    return None if d is None or "error" in d else d["end"]["sum_received"]["bits_per_second"] / 1e9


def udp(server):
    for rate in UDP_LADDER_MBIT:
        d = iperf(server, f"-u -b {rate}M -l {UDP_PAYLOAD}", seconds=3)
        if d is None or "error" in d:
            continue
        s = d["end"]["sum"]
        if s["lost_percent"] <= 1.0:
            return s["bits_per_second"] * (1 - s["lost_percent"] / 100) / 1e9
    return 0.0


def ping_ms(server, count=20, interval=0.1):
    out = ns(A, f"ping -q -c {count} -i {interval} -W 2 {server}", check=False)
    for line in out.splitlines():
        if "min/avg/max" in line:
            return float(line.split("=")[1].split("/")[1])
    return None


def measure(server, procs):
    pids = tunnel_pids(procs)
    f = {}
    if pids:
        f["rss_idle_mib"] = rss_mib(pids)
    iperf(server, "", seconds=3)  # warm-up: a JVM compiles its hot path in the first seconds of traffic
    c0 = cpu_seconds(pids)
    d = iperf(server, "")
    c1 = cpu_seconds(pids)
    if d is not None and "error" not in d:
        f["tcp1"] = d["end"]["sum_received"]["bits_per_second"] / 1e9
        gb = d["end"]["sum_received"]["bytes"] / 1e9
        if pids and gb > 0:
            f["cpu_s_per_gb"] = (c1 - c0) / gb
    f["tcp1_rev"] = tcp(server, "-R")
    f["tcp4"] = tcp(server, "-P 4")
    f["tcp4_rev"] = tcp(server, "-P 4 -R")
    f["udp"] = udp(server)
    f["ping_idle"] = ping_ms(server)
    ns(B, f"iperf3 -s -1 -D -B {server}")
    time.sleep(0.4)
    load = subprocess.Popen(f"ip netns exec {A} iperf3 -c {server} -t {DUR}", shell=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    f["ping_load"] = ping_ms(server, count=int((DUR - 2) / 0.1), interval=0.1)
    load.wait(DUR + 30)
    if pids:
        f["rss_mib"] = rss_mib(pids)
    return f


def start_wireguard_go(work, n, binary):
    """wireguard-go in namespace n as device wg{n}; returns once the device is there (at most 10 s)."""
    work.spawn(n, f"env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 {binary} -f wg{n}", f"{work.dir}/wg-{n}.log")
    for _ in range(100):
        if subprocess.run(f"ip -n {n} link show wg{n}", shell=True, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)


def skein_config(d, x, seeds, extra=""):
    """Node x's configuration in d (its certificate x.crt and key x.key beside it)."""
    with open(f"{d}/{x}.yaml", "w") as f:
        f.write(f"name: {x}\ninterface: skein0\nlisten-port: 51820\ngossip-port: 7946\nseeds: {seeds}\n"
                f"pki: {{ca: ca.crt, cert: {x}.crt, key: {x}.key}}\ncontrol-socket: {d}/{x}.sock\n{extra}")


def await_line(log, text, tries=300):
    """Waits until the file log holds text, 0.1 s per try."""
    for _ in range(tries):
        if os.path.exists(log) and text in open(log).read():
            return
        time.sleep(0.1)


def wireguard_go(work, binary="wireguard-go"):
    if not shutil.which(binary) or not shutil.which("wg"):
        return None
    keys = {}
    for n in (A, B):
        key = sh("wg genkey").strip()
        keys[n] = (key, sh(f"echo {key} | wg pubkey").strip())
        with open(f"{work.dir}/{n}.key", "w") as f:
            f.write(key + "\n")
        start_wireguard_go(work, n, binary)
    for n, other, ep, me, peer in ((A, B, "198.18.0.2", "100.64.0.1", "100.64.0.2"),
                                   (B, A, "198.18.0.1", "100.64.0.2", "100.64.0.1")):
        ns(n, f"wg set wg{n} private-key {work.dir}/{n}.key listen-port 51820 peer {keys[other][1]} "
              f"endpoint {ep}:51820 allowed-ips {peer}/32")
        sh(f"ip -n {n} addr add {me}/24 dev wg{n}")
        sh(f"ip -n {n} link set wg{n} up")
    ping_ms("100.64.0.2", count=2)
    return "100.64.0.2"


def wireguard_go_down():
    for n in (A, B):
        sh(f"ip -n {n} link del wg{n}", check=False)


def nebula(work):
    if not shutil.which("nebula") or not shutil.which("nebula-cert"):
        return None
    d = work.dir
    sh(f"cd {d} && nebula-cert ca -name bench")
    for x, ip in (("a", "100.65.0.1/24"), ("b", "100.65.0.2/24")):
        sh(f"cd {d} && nebula-cert sign -name {x} -ip {ip} -out-crt {x}.crt -out-key {x}.key")
    for x, other, oth_ul, lh, n in (("a", "100.65.0.2", "198.18.0.2", "false", A),
                                    ("b", "100.65.0.1", "198.18.0.1", "true", B)):
        with open(f"{d}/{x}.yml", "w") as f:
            f.write(f"""pki: {{ca: {d}/ca.crt, cert: {d}/{x}.crt, key: {d}/{x}.key}}
static_host_map: {{"{other}": ["{oth_ul}:4242"]}}
lighthouse: {{am_lighthouse: {lh}, hosts: []}}
listen: {{host: 0.0.0.0, port: 4242}}
tun: {{dev: neb0, mtu: 1300}}
firewall: {{outbound: [{{port: any, proto: any, host: any}}], inbound: [{{port: any, proto: any, host: any}}]}}
logging: {{level: error}}
""")
        work.spawn(n, f"nebula -config {d}/{x}.yml", f"{d}/nebula-{x}.log")
    time.sleep(2)
    ping_ms("100.65.0.2", count=2)
    return "100.65.0.2"


# About 20 rules, as a real office might have; what the benchmark's traffic needs (iperf3 on 5201, ping) comes
# last, so that every new flow is judged against all the others first.
FIREWALL = "firewall:\n  inbound:\n" + "".join(f"    - {r}\n" for r in [
    "{port: 22, proto: tcp, groups: [admins]}", "{port: 80, proto: tcp, host: web}",
    "{port: 443, proto: tcp, group: web}", "{port: 53, proto: udp, cidr: 100.64.0.0/10}",
    "{port: 53, proto: tcp, cidr: 100.64.0.0/10}", "{port: 8000-8100, proto: tcp, groups: [dev, ops]}",
    "{port: 9090, proto: tcp, group: monitoring}", "{port: 9100, proto: tcp, group: monitoring}",
    "{port: 3000, proto: tcp, groups: [dev, admins]}", "{port: 5432, proto: tcp, host: db}",
    "{port: 6379, proto: tcp, host: cache}", "{port: 25, proto: tcp, host: mail}",
    "{port: 123, proto: udp, host: any}", "{port: 161, proto: udp, group: monitoring}",
    "{port: 500-600, proto: udp, groups: [vpn, ops]}", "{port: 1194, proto: udp, group: vpn}",
    "{port: 2049, proto: tcp, cidr: 100.96.0.0/16}", "{port: 3389, proto: tcp, group: windows}",
    "{port: any, proto: icmp, host: any}", "{port: 5201, proto: tcp, group: bench}",
    "{port: 5201, proto: udp, group: bench}"]) + "  outbound:\n    - {port: any, proto: any, host: any}\n"


def skein(work, env="", extra=""):
    d = work.dir
    exe = f"{ROOT}/skein"
    sh(f"{exe} ca init --name bench --out {d}")
    for x, ip in (("a", "100.64.0.1/16"), ("b", "100.64.0.2/16")):
        sh(f"{exe} sign --ca {d} --name {x} --address {ip} --groups bench,family --out {d}")
    for x, seeds, n in (("a", "[]", A), ("b", "[198.18.0.1:51820]", B)):
        skein_config(d, x, seeds, extra)
        work.spawn(n, f"{env}{exe} up --config {d}/{x}.yaml", f"{d}/skein-{x}.log")
    await_line(f"{d}/skein-b.log", " a added")
    ping_ms("100.64.0.2", count=3)
    return "100.64.0.2"


def mixed(work):
    """Skein on A, today's wireguard-go on B, as a new user pairs them: B is a `wireguard-peers` entry of A."""
    if not os.path.exists(WG_MODERN) or not shutil.which("wg"):
        return None
    d, exe = work.dir, f"{ROOT}/skein"
    sh(f"{exe} ca init --name bench --out {d}")
    sh(f"{exe} sign --ca {d} --name a --address 100.64.0.1/16 --out {d}")
    skein_public = next(line.split()[2] for line in sh(f"{exe} cert show {d}/a.crt").splitlines()
                        if line.strip().startswith("public key:"))
    key = sh("wg genkey").strip()
    with open(f"{d}/wg.key", "w") as f:
        f.write(key + "\n")
    wg_public = sh(f"echo {key} | wg pubkey").strip()
    start_wireguard_go(work, B, WG_MODERN)
    ns(B, f"wg set wg{B} private-key {d}/wg.key listen-port 51820 peer {skein_public} "
          f"endpoint 198.18.0.1:51820 allowed-ips 100.64.0.1/32")
    sh(f"ip -n {B} addr add 100.64.0.2/16 dev wg{B}")
    sh(f"ip -n {B} link set wg{B} up")
    skein_config(d, "a", "[]", f"wireguard-peers:\n  - public-key: {wg_public}\n    endpoint: 198.18.0.2:51820\n"
                 f"    allowed-ips: [100.64.0.2/32]\n")
    work.spawn(A, f"{exe} up --config {d}/a.yaml", f"{d}/skein-a.log")
    await_line(f"{d}/skein-a.log", " up")
    ping_ms("100.64.0.2", count=3)
    return "100.64.0.2"


MIXED = "skein to wireguard-go-2025"
FIGURES = [("tcp1", "TCP 1 stream A to B (Gbit/s)", True), ("tcp1_rev", "TCP 1 stream B to A (Gbit/s)", True),
           ("tcp4", "TCP 4 streams A to B (Gbit/s)", True), ("tcp4_rev", "TCP 4 streams B to A (Gbit/s)", True),
           ("udp", "UDP at <= 1% loss (Gbit/s)", True), ("ping_idle", "ping RTT idle (ms)", False),
           ("ping_load", "ping RTT under 1-stream TCP (ms)", False),
           ("cpu_s_per_gb", "CPU s per GB, tunnel processes", False),
           ("rss_idle_mib", "resident memory, idle after the handshake (MiB)", False),
           ("rss_mib", "resident memory after the transfers (MiB)", False)]
PATHS = ["raw veth", "wireguard-go-2025", "wireguard-go", "nebula", "skein", "skein, firewall", MIXED]
if os.environ.get("NO_FILTER"):
    # Diagnosis: Skein without its nftables overlay filter (nft hidden from its PATH).
    PATHS.append("skein, no filter")
if os.environ.get("STEPS"):
    # What each step of the data plane is worth: Skein with libsodium's cipher instead of the one timed fastest
    # (OpenSSL's, where it is installed), with the pure-Java cipher (JDK ChaCha20 + Bouncy Castle Poly1305), and
    # that without its TUN and UDP offloads (session 3's data plane).
    PATHS += ["skein, sodium cipher", "skein, java cipher", "skein, java cipher, no offload"]
if os.environ.get("CHECKSUMS"):
    # What the receiver's optional TCP checksums are worth: Skein whose records do not offer them, so each sender
    # computes the checksum of every TCP segment it cuts, as before session 32.
    PATHS.append("skein, tcp checksums")
if os.environ.get("JIT"):
    # What the optimizing compiler (C2) is worth to the data plane: Skein with the JIT's first tier (C1) only.
    PATHS.append("skein, C1 only")
if os.environ.get("WORKERS"):
    # What sealing and opening on several cores is worth: Skein with one lane per direction (its own thread).
    PATHS.append("skein, 1 cipher worker")
if os.environ.get("ONLY"):
    # A quicker run while working on one path: ONLY=skein,wireguard-go keeps those columns.
    # The diagnosis columns ("skein, no ...") stay whenever their switch is on.
    PATHS = [p for p in PATHS if p in os.environ["ONLY"].split(",") or p.startswith("skein, ")]


def summary(values):
    v = [x for x in values if x is not None]
    if not v:
        return None, "-"
    m = statistics.median(v)
    return m, f"{m:.2f} ({min(v):.2f}-{max(v):.2f})" if len(v) > 1 else f"{m:.2f}"


def table(results):
    # The mixed pair is measured against the slower of the two same-kind pairs (issue 23: at least 0.9x).
    pairs = (("skein", "wireguard-go-2025"), ("skein", "wireguard-go"), ("skein", "nebula"),
             ("skein, firewall", "skein"), (MIXED, ("skein", "wireguard-go-2025")))
    lines = ["| figure | " + " | ".join(PATHS) + " | Skein / wireguard-go 2025 | Skein / wireguard-go (Debian) "
             "| Skein / Nebula | Skein firewall / Skein | mixed / the slower same-kind pair |",
             "|---" * (len(PATHS) + 1 + len(pairs)) + "|"]
    for key, label, higher in FIGURES:
        cells, med = [], {}
        for p in PATHS:
            m, text = summary([r.get(key) for r in results.get(p, [])])
            med[p] = m
            cells.append(text)
        ratios = []
        for mine, peer in pairs:
            s = med.get(mine)
            if isinstance(peer, tuple):
                both = [med.get(q) for q in peer]
                o = None if None in both else (min(both) if higher else max(both))
            else:
                o = med.get(peer)
            ratios.append(f"{s / o:.2f}x" if s and o else "-")
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def jdk_tool(name):
    """A tool of the newest JDK under /usr/lib/jvm (the one ./skein runs on)."""
    homes = sorted(d for d in os.listdir("/usr/lib/jvm") if os.path.exists(f"/usr/lib/jvm/{d}/bin/{name}"))
    return f"/usr/lib/jvm/{homes[-1]}/bin/{name}" if homes else name


def top_frames(jfr_file, limit=15):
    """The methods on top of the stack in a JFR recording's execution samples, with their share."""
    out = sh(f"{jdk_tool('jfr')} print --events jdk.ExecutionSample --stack-depth 1 {jfr_file}", timeout=300)
    counts = {}
    for line in out.splitlines():
        line = line.strip()
        if " line: " in line and "(" in line:
            frame = line.split(" line:")[0].strip()
            counts[frame] = counts.get(frame, 0) + 1
    total = sum(counts.values()) or 1
    return [(c * 100.0 / total, f) for f, c in sorted(counts.items(), key=lambda kv: -kv[1])[:limit]], total


def thread_ticks(pids):
    """(pid, thread name) -> user and system clock ticks so far, for every thread of these processes."""
    out = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    st = f.read()
            except FileNotFoundError:
                continue
            name = st[st.index("(") + 1:st.rindex(")")]
            fields = st.rsplit(")", 1)[1].split()
            key = (pid, name)
            u, s = out.get(key, (0, 0))
            out[key] = (u + int(fields[11]), s + int(fields[12]))
    return out


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]


ASYNC_PROFILER = "tools.profiler:async-profiler:4.1"


def async_profiler(work):
    """libasyncProfiler.so from the async-profiler artifact on Maven Central (fetched if need be), or None."""
    jar = os.path.expanduser("~/.m2/repository/tools/profiler/async-profiler/4.1/async-profiler-4.1.jar")
    if not os.path.exists(jar):
        sh(f"mvn -q -B dependency:get -Dartifact={ASYNC_PROFILER}", check=False, timeout=300)
    if not os.path.exists(jar):
        return None
    sh(f"cd {work.dir} && unzip -o -q {jar} linux-x64/libasyncProfiler.so", check=False)
    lib = f"{work.dir}/linux-x64/libasyncProfiler.so"
    return lib if os.path.exists(lib) else None


def profile():
    """Skein only, one 1-stream TCP run: per-thread CPU over a window of the transfer, and where the time goes,
    from async-profiler (CPU samples of Java, native and kernel code alike, attached to both nodes for the same
    window), or from JFR where async-profiler cannot be had (JFR sees Java code only)."""
    underlay()
    work = Work()
    try:
        lib = async_profiler(work)
        if lib is None:
            os.environ["SKEIN_JAVA_OPTS"] = "-XX:StartFlightRecording=settings=profile,filename=" + work.dir + "/%p.jfr"
        server = skein(work)
        os.environ.pop("SKEIN_JAVA_OPTS", None)
        iperf(server, "", seconds=3)  # warm-up
        seconds = max(DUR, 10)
        result = {}
        import threading
        run = threading.Thread(target=lambda: result.update(d=iperf(server, "", seconds=seconds)))
        run.start()
        time.sleep(3)
        pids = tunnel_pids(work.procs)
        jcmd = jdk_tool("jcmd")
        if lib:
            for pid in pids:
                # jcmd splits its arguments at "=": the agent's options go in quotes
                sh(f"""{jcmd} {pid} JVMTI.agent_load {lib} '"start,event=cpu,interval=1ms"'""")
        t0, m0 = thread_ticks(pids), machine_ticks()
        window = seconds - 5
        time.sleep(window)
        t1, m1 = thread_ticks(pids), machine_ticks()
        if lib:
            for pid in pids:
                sh(f"""{jcmd} {pid} JVMTI.agent_load {lib} '"stop,flat=20,traces=0,file={work.dir}/{pid}.txt"'""")
        run.join()
        d = result["d"]
        print(f"skein, 1 stream A to B: {d['end']['sum_received']['bits_per_second'] / 1e9:.2f} Gbit/s")
        tick = os.sysconf("SC_CLK_TCK")
        busy = 1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0])
        print(f"\nCPU over {window} s of the transfer: machine {busy * 100:.0f}% busy; threads above 0.02 cores:")
        rows = []
        for key, (u1, s1) in t1.items():
            u0, s0 = t0.get(key, (0, 0))
            cores = (u1 - u0 + s1 - s0) / tick / window
            if cores > 0.02:
                rows.append((cores, (u1 - u0) / tick / window, (s1 - s0) / tick / window, key))
        for cores, user, system, (pid, name) in sorted(rows, reverse=True):
            node = "A, sending" if pid == pids[0] else "B, receiving"
            print(f"  {cores:4.2f} cores (user {user:4.2f}, system {system:4.2f})  node {node}: {name}")
        if lib:
            for pid in pids:
                node = "A, sending" if pid == pids[0] else "B, receiving"
                print(f"\nnode {node}: async-profiler, CPU samples over the same window, hottest frames (self):")
                with open(f"{work.dir}/{pid}.txt") as f:
                    print(f.read().strip())
            return
        for p in work.procs:  # a clean stop writes the recordings (pids were taken during the run)
            p.terminate()
        for p in work.procs:
            p.wait(20)
        work.procs = []
        # Only the two nodes' recordings (named by pid), not those of the CLI commands that set them up.
        files = [f"{pid}.jfr" for pid in pids if os.path.exists(f"{work.dir}/{pid}.jfr")]
        for f in files:
            node = "A, sending" if f == f"{pids[0]}.jfr" else "B, receiving"
            rows, total = top_frames(f"{work.dir}/{f}", 15)
            print(f"\nnode {node}: JFR, {total} samples of threads running Java code; top of stack:")
            for share, frame in rows:
                print(f"  {share:5.1f}%  {frame}")
    finally:
        work.stop()
        teardown()
        shutil.rmtree(work.dir, ignore_errors=True)


def main():
    if os.geteuid() != 0:
        sys.exit("bench.py: needs root (network namespaces)")
    if os.environ.get("PROFILE"):
        profile()
        return
    results = {p: [] for p in PATHS}
    setups = {"raw veth": lambda w: "198.18.0.2", "wireguard-go": wireguard_go,
              "wireguard-go-2025": lambda w: wireguard_go(w, WG_MODERN), "nebula": nebula, "skein": skein,
              "skein, firewall": lambda w: skein(w, extra=FIREWALL), MIXED: mixed,
              "skein, no filter": lambda w: skein(w, env="env PATH=/usr/bin:/bin "),
              "skein, sodium cipher": lambda w: skein(w, env="env SKEIN_JAVA_OPTS=-Dskein.aead=sodium "),
              "skein, tcp checksums":
                  lambda w: skein(w, env="env SKEIN_JAVA_OPTS=-Dskein.tcp-checksum-optional=false "),
              "skein, C1 only": lambda w: skein(w, env="env SKEIN_JAVA_OPTS=-XX:TieredStopAtLevel=1 "),
              "skein, 1 cipher worker": lambda w: skein(w, env="env SKEIN_JAVA_OPTS=-Dskein.cipher-workers=1 "),
              "skein, java cipher": lambda w: skein(w, env="env SKEIN_JAVA_OPTS=-Dskein.aead=split "),
              "skein, java cipher, no offload":
                  lambda w: skein(w, env="env 'SKEIN_JAVA_OPTS=-Dskein.aead=split -Dskein.offload=false' ")}
    try:
        for rep in range(1, REPS + 1):
            for p in PATHS:
                underlay()
                work = Work()
                try:
                    server = setups[p](work)
                    if server is None:
                        print(f"rep {rep}: {p}: not installed, skipped", file=sys.stderr)
                        continue
                    f = measure(server, work.procs)
                    results[p].append(f)
                    print(f"rep {rep}: {p}: " + ", ".join(f"{k}={v:.3f}" for k, v in f.items() if v is not None),
                          file=sys.stderr, flush=True)
                finally:
                    work.stop()
                    if "wireguard-go" in p:
                        wireguard_go_down()
                    teardown()
                    shutil.rmtree(work.dir, ignore_errors=True)
    finally:
        teardown()
    head = (f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, cores: {os.cpu_count()}, "
            f"repetitions: {REPS}, {DUR} s per TCP run; command: REPS={REPS} DUR={DUR} simulations/scripts/bench.py")
    text = head + "\n\n" + table(results) + "\n"
    print(text)
    if os.environ.get("OUT"):
        with open(os.environ["OUT"], "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
