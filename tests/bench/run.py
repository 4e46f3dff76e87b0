#!/usr/bin/env python3
"""hubchat benchmark runner: relay vs a node `ws` baseline (stdlib only).

Starts a fresh server for every run (relay or baseline, pinned to core 0),
runs hubchat_loadgen (pinned to the other cores), interleaves the servers
(A B A B) for several rounds, and writes the medians, relay/baseline ratios,
a markdown table and a gnuplot chart (p99 latency vs offered load).

  python3 tests/bench/run.py                 # full run, 3 rounds (~15 min)
  python3 tests/bench/run.py --quick         # 1 round, short phases (~3 min)
  python3 tests/bench/run.py --smoke --relay build/relay/relay --loadgen ...
                                             # CTest bench_smoke: relay only,
                                             # asserts zero loss / zero drops
  python3 tests/bench/run.py --storm restart # CTest bench_storm_*: one big-room
                                             # storm (restart, presence, flood;
                                             # storms.py), asserts and reports
  python3 tests/bench/run.py --million       # the million-connection rung
                                             # (million.py): 100k..1M idle
                                             # connections, one message into
                                             # a room of 100k of them

Servers: relay (in memory), node (the `ws` baseline), redis2 (2 relays sharing the
room through a private redis-server; s2 and ladder only, scale_out.py).

Scenarios (docs/benchmark.md): s1 closed-loop fan-out, s2 paced fan-out
(100k deliveries/s), s2legacy (s2 on the relay in the legacy dialect),
s2verified (s2 with every client joined with its own token, guests refused),
joins (join throughput, relay only: without and with tokens), ladder
(s2 rate raised until loss, a drop or p99 >= 100 ms), s3 idle connections,
storms (relay only, once: 10,000-member restart storm, presence storm, flood).
Every loop is bounded: each run has a timeout and the ladder a fixed list.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import million
import scale_out
import storms

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
P99_LIMIT_US = 100_000
RELAY_MAX_FRAME_BYTES = 16 * 1024  # the relay's --max-frame-bytes default
S2_IDLE_CLIENTS = 4000  # s2idle: idle connections in another room during S2
LADDER = [50e3, 70e3, 100e3, 140e3, 200e3, 280e3, 400e3, 560e3, 800e3, 1.12e6, 1.6e6,
          2.24e6, 3.2e6, 4.5e6, 6.4e6]


def log(*parts):
    print("[bench]", *parts, file=sys.stderr, flush=True)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def find_binary(explicit, build_dir, candidates):
    if explicit:
        return Path(explicit).resolve()
    for rel in candidates:
        p = build_dir / rel
        if p.is_file() and os.access(p, os.X_OK):
            return p
    return None


def pinning():
    """(server cpu prefix, generator cpu prefix, generator threads)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or not shutil.which("taskset"):
        return [], [], 1
    gen = cpus[1:]
    return (["taskset", "-c", str(cpus[0])], ["taskset", "-c", ",".join(map(str, gen))],
            len(gen))


def wait_for_port(port, proc, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def tcp_counters():
    """System-wide TCP counters that explain latency tails on loopback (timers fired)."""
    wanted = {"RetransSegs", "TCPLossProbes", "TCPTimeouts"}
    found = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            continue
        for names, values in zip(lines[::2], lines[1::2]):
            for name, value in zip(names.split()[1:], values.split()[1:]):
                if name in wanted and names.startswith(("Tcp:", "TcpExt:")):
                    found[name] = int(value)
    return found


def cpu_jiffies():
    """(busy, total) jiffies over all CPUs from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def busy_cores(before, after):
    ncpu = os.cpu_count() or 1
    total = after[1] - before[1]
    return ncpu * (after[0] - before[0]) / total if total > 0 else 0.0


def wait_until_quiet(limit_s, threshold=0.35):
    """Bounded wait for other processes (builds, browsers) to leave the cores alone.
    Returns the busy cores seen in the last 1 s sample."""
    deadline = time.monotonic() + limit_s
    while True:
        before = cpu_jiffies()
        time.sleep(1.0)
        busy = busy_cores(before, cpu_jiffies())
        if busy < threshold or time.monotonic() >= deadline:
            return busy


# What a load test needs from the relay (its defaults would throttle one);
# a run may replace any of them (None: back to the relay's default).
RELAY_LOAD_FLAGS = {"--rate-limit": "0", "--max-connections-per-ip": "1000000",
                    "--max-connections": "100000", "--handshake-timeout": "60"}


def relay_command(cfg, port, relay_flags=None):
    """The relay's command line for a load run on `port` (unpinned)."""
    flags = {**RELAY_LOAD_FLAGS, **(relay_flags or {})}
    cmd = [str(cfg.relay), "--port", str(port), "--host", "127.0.0.1"]
    for flag, value in flags.items():
        if value is not None:
            cmd += [flag, str(value)]
    return cmd + cfg.relay_args


class Server(scale_out.ChildProcess):
    """One server process for one run (fresh state, fresh RSS baseline)."""

    def __init__(self, kind, cfg, port, relay_flags=None):
        self.kind, self.port, self.ports = kind, port, [port]
        self.broker_pid = None
        if kind == "relay":
            cmd = relay_command(cfg, port, relay_flags)
        else:
            cmd = [cfg.node, str(HERE / "baseline" / "server.js"), str(port)]
        # stderr to a file, not a pipe: nobody reads it while the server runs,
        # and a full pipe would block it.
        super().__init__(cfg.server_pin + cmd)
        if not wait_for_port(port, self.proc):
            err = self.stop()
            raise RuntimeError(f"{kind} did not start on port {port}: {err}")

    @property
    def pid(self):
        # taskset execs the server, so the pid is the server's own.
        return self.proc.pid

    @property
    def pids(self):
        return [self.proc.pid]

    def cores(self):
        return {self.kind: scale_out.cores_of(self.proc.pid)}


class Bench:
    def __init__(self, cfg):
        self.cfg = cfg
        self.port = cfg.port
        self.runs = []  # every run's record

    def next_port(self, count=1):
        """The first of `count` fresh consecutive ports."""
        self.port += count
        return self.port - count + 1

    def start_server(self, kind, relay_flags=None):
        if kind == scale_out.KIND:
            port = self.next_port(scale_out.RELAYS + 1)
            return scale_out.SharedRoomRelays(self.cfg, port,
                                              lambda p: relay_command(self.cfg, p), wait_for_port)
        return Server(kind, self.cfg, self.next_port(), relay_flags)

    def run(self, kind, scenario, args, dialect, rnd, extra=None, idle_clients=0,
            relay_flags=None):
        """Fresh server, one loadgen run; returns the parsed JSON result (or None).

        idle_clients: a second generator first connects that many idle legacy
        clients to another room and holds them for the whole run.
        relay_flags: extra relay flags for this run ({"--flag": value})."""
        cfg = self.cfg
        quiet = wait_until_quiet(cfg.quiet_wait) if cfg.quiet_wait > 0 else None
        server = self.start_server(kind, relay_flags)
        idlers = start_idle_clients(cfg, server, idle_clients) if idle_clients else None
        timing = float(args.get("warmup", 0)) + float(args.get("duration", 0)) + \
            float(args.get("drain", 0)) + float(args.get("connect-timeout", 30))
        cmd = cfg.gen_pin + [str(cfg.loadgen), "--dialect", dialect, "--threads",
                             str(cfg.threads), "--label", f"{kind}/{scenario}/r{rnd}"]
        for port in server.ports:
            cmd += ["--port", str(port)]
        for pid in server.pids:
            cmd += ["--server-pid", str(pid)]
        if server.broker_pid:
            cmd += ["--broker-pid", str(server.broker_pid)]
        cores = {**server.cores(), "loadgen": ",".join(cfg.gen_pin[2:]) or None}
        for key, value in args.items():
            cmd += [f"--{key}", str(value)]
        result = None
        tcp_before = tcp_counters()
        jiffies_before = cpu_jiffies()
        wall_before = time.monotonic()
        try:
            out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 timeout=timing + 30, check=False)
            lines = [l for l in out.stdout.decode().splitlines() if l.startswith("{")]
            if lines:
                result = json.loads(lines[-1])
            else:
                log(f"{kind}/{scenario}: no result (exit {out.returncode}):",
                    out.stderr.decode()[-500:])
        except subprocess.TimeoutExpired:
            log(f"{kind}/{scenario}: loadgen timed out")
        finally:
            if idlers:
                idlers.kill()
                idlers.wait(timeout=10)
            err = server.stop()
        tcp_after = tcp_counters()
        busy = busy_cores(jiffies_before, cpu_jiffies())
        if result is not None:
            # Machine load while the run lasted (all processes, in cores) and
            # before it: other work on the 2 cores disturbs every figure.
            result["machine_busy_cores"] = round(busy, 3)
            result["busy_cores_before"] = None if quiet is None else round(quiet, 3)
            result["wall_s"] = round(time.monotonic() - wall_before, 2)
            result["tcp"] = {k: tcp_after[k] - tcp_before[k] for k in tcp_after if k in tcp_before}
        if result is None and err:
            log(f"{kind} stderr:", err)
        record = {"server": kind, "scenario": scenario, "round": rnd, "dialect": dialect,
                  "args": args, "result": result, "cores": cores}
        if extra:
            record.update(extra)
        self.runs.append(record)
        if result:
            log(summary_line(record))
        return result


def relay_connections(port):
    """The relay's open WebSocket connections, from its /metrics (None if unreachable)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as resp:
            for line in resp.read().decode().splitlines():
                if line.startswith("hubchat_connections "):
                    return int(float(line.split()[1]))
    except OSError:
        return None
    return None


def start_idle_clients(cfg, server, count, timeout=60.0):
    """A second generator holding `count` idle legacy clients in room "idlers";
    returns once the relay counts them (or raises)."""
    cmd = cfg.gen_pin + [str(cfg.loadgen), "--port", str(server.port), "--mode", "idle",
                         "--dialect", "legacy", "--room", "idlers", "--clients", str(count),
                         "--duration", "600", "--max-handshakes", "128",
                         "--connect-timeout", str(int(timeout))]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (relay_connections(server.port) or 0) >= count:
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    proc.wait(timeout=10)
    raise RuntimeError(f"{count} idle clients did not connect within {timeout:.0f} s")


def summary_line(rec):
    r = rec["result"]
    head = f"{rec['server']:5} {rec['scenario']:9} r{rec['round']}"
    if r["mode"] == "idle":
        return (f"{head} connected={r['connected']} rss/conn={r['rss_per_conn_bytes']} B "
                f"dropped={r['dropped']}")
    return (f"{head} deliv/s={r['deliveries_per_s']:.0f} p99={r['latency_us']['p99']:.0f}us "
            f"srv_cpu/deliv={r['server_cpu_per_delivery_us']}us srv_util={r['server_cpu_util']} "
            f"gen_util={r['loadgen_cpu_util']:.2f} lost={r['lost']} dropped={r['dropped']} "
            f"msgs/frame={r['msgs_per_frame']:.1f} tcp={r.get('tcp')} "
            f"busy_before={r.get('busy_cores_before')}")


def passes(r):
    return (r is not None and r["lost"] == 0 and r["dropped"] == 0 and
            r["connect_failures"] == 0 and r["latency_us"]["p99"] < P99_LIMIT_US and
            r["delivered_in_window"] > 0)


# ---------------------------------------------------------------- scenarios

def phases(cfg, warmup, duration, drain):
    if cfg.quick:
        return {"warmup": 1, "duration": 2, "drain": 2}
    return {"warmup": warmup, "duration": duration, "drain": drain}


def s1_args(cfg):
    return {"clients": 100, "senders": 10, "window": 16, "message-bytes": 64,
            **phases(cfg, 2, 5, 3)}


def s2_args(cfg, per_sender_rate=20.0):
    return {"clients": 1000, "senders": 5, "rate": f"{per_sender_rate:g}", "message-bytes": 64,
            **phases(cfg, 2, 5, 3)}


def s4_args(cfg):
    """A human-paced room: 1000 clients, 2 senders x 2 msg/s. What a message
    waits for in a quiet room (a flush timer shows here, not in S2)."""
    return {"clients": 1000, "senders": 2, "rate": "2", "message-bytes": 64,
            **phases(cfg, 2, 10, 3)}


def s3_args(cfg):
    return {"mode": "idle", "clients": 5000, "duration": 2 if cfg.quick else 3,
            "max-handshakes": 128, "connect-timeout": 60}


def token_key(cfg):
    """A fresh HS256 secret (64 hex characters) in the results folder: the
    relay's --auth-key and the generator's --token-key, which mints every
    client's own token from it at start-up."""
    path = cfg.out / "bench-auth-key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return str(path)


def verified_flags(cfg, anonymous="deny"):
    """The relay checking tokens. With --anonymous deny a client without a
    valid token is refused at join, so every client that connected is verified."""
    return {"--auth-key": token_key(cfg), "--anonymous": anonymous}


def verified(cfg, args):
    """`args` for the generator with every client joining with its own token."""
    return {**args, "token-key": token_key(cfg)}


def joins_args(cfg):
    """Join throughput: idle lossless clients, each ready at its welcome;
    the report's joins_per_s is clients ready per second of connecting."""
    return {"mode": "idle", "clients": 1000 if cfg.quick else 5000, "duration": 1,
            "max-handshakes": 128, "connect-timeout": 60}


def joins(bench, rnd):
    """Join throughput without and with tokens, on the same relay flags
    (tokens checked, guests allowed): only the tokens differ."""
    flags = verified_flags(bench.cfg, anonymous="allow")
    bench.run("relay", "joins", joins_args(bench.cfg), "lossless", rnd, relay_flags=flags)
    bench.run("relay", "joinsverified", verified(bench.cfg, joins_args(bench.cfg)), "lossless",
              rnd, relay_flags=flags)


def ladder(bench, kind, dialect, rnd):
    cfg = bench.cfg
    steps = LADDER[:cfg.ladder_steps] if cfg.ladder_steps else LADDER
    best = None
    for offered in steps:
        args = s2_args(cfg, offered / 5000.0)
        if not cfg.quick:
            args.update({"warmup": 1, "duration": 3, "drain": 3})
        r = bench.run(kind, "ladder", args, dialect, rnd, {"offered": offered})
        if not passes(r):
            break
        best = r
    return best


def scenario_list(cfg):
    return [s.strip() for s in cfg.scenarios.split(",") if s.strip()]


def run_all(bench):
    cfg = bench.cfg
    servers = [s.strip() for s in cfg.servers.split(",") if s.strip()]
    scenarios = scenario_list(cfg)
    for rnd in range(1, cfg.rounds + 1):
        log(f"round {rnd}/{cfg.rounds}")
        for scenario in scenarios:
            for kind in servers:  # interleaved: A B A B
                dialect = "legacy" if kind == "node" else "lossless"
                if kind == scale_out.KIND and scenario not in ("s2", "ladder"):
                    continue  # several relays: S2 and its ladder only
                if scenario == "s1":
                    bench.run(kind, "s1", s1_args(cfg), dialect, rnd)
                elif scenario == "s2":
                    bench.run(kind, "s2", s2_args(cfg), dialect, rnd)
                elif scenario == "s4":
                    bench.run(kind, "s4", s4_args(cfg), dialect, rnd)
                elif scenario == "s2verified":
                    if kind == "relay":
                        bench.run(kind, "s2verified", verified(cfg, s2_args(cfg)), dialect, rnd,
                                  relay_flags=verified_flags(cfg))
                elif scenario == "joins":
                    if kind == "relay":
                        joins(bench, rnd)
                elif scenario == "s2legacy":
                    if kind == "relay":
                        bench.run(kind, "s2legacy", s2_args(cfg), "legacy", rnd)
                elif scenario == "s2idle":
                    # The baseline has one room: idle clients would be recipients there.
                    if kind == "relay":
                        bench.run(kind, "s2idle", s2_args(cfg), dialect, rnd,
                                  idle_clients=S2_IDLE_CLIENTS)
                elif scenario == "ladder":
                    ladder(bench, kind, dialect, rnd)
                elif scenario == "s3":
                    bench.run(kind, "s3", s3_args(cfg), "legacy", rnd)
                    if kind == "relay" and cfg.s3_lossless:
                        bench.run(kind, "s3lossless", s3_args(cfg), "lossless", rnd)
                elif scenario == "storms" and kind == "relay" and rnd == 1:
                    run_storms(bench)


def run_storms(bench):
    """Every big-room storm once (storms.py); their lines go into results.md."""
    cfg = bench.cfg
    if not cfg.storm_driver:
        log("hubchat_storm not found: storms skipped")
        return
    for name in storms.STORMS:
        storms.storm_test(cfg, name, lambda port, flags: Server("relay", cfg, port, flags),
                          bench.next_port(), cfg.storm_clients)


# ---------------------------------------------------------------- results

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def results_of(runs, server, scenario):
    return [r["result"] for r in runs
            if r["server"] == server and r["scenario"] == scenario and r["result"]]


def ladder_max(runs, server):
    """Per round: highest passing offered load; median over rounds."""
    per_round, first_failure = {}, {}
    for r in runs:
        if r["server"] != server or r["scenario"] != "ladder":
            continue
        per_round.setdefault(r["round"], None)
        if passes(r["result"]):
            best = per_round[r["round"]]
            if best is None or r["offered"] > best["offered"]:
                per_round[r["round"]] = r
        elif r["result"] and r["round"] not in first_failure:
            first_failure[r["round"]] = r
    best = [r for r in per_round.values() if r]
    failed = list(first_failure.values())
    if not per_round:
        return None
    return {
        "offered": med([r["offered"] for r in best]) if best else 0,
        "deliveries_per_s": med([r["result"]["deliveries_per_s"] for r in best]) if best else 0,
        "p99_us": med([r["result"]["latency_us"]["p99"] for r in best]) if best else None,
        "server_cpu_util": med([r["result"]["server_cpu_util"] for r in best]) if best else None,
        "loadgen_cpu_util": med([r["result"]["loadgen_cpu_util"] for r in best]) if best else None,
        # The first step that failed: which core was saturated there.
        "failed_offered": med([r["offered"] for r in failed]) if failed else None,
        "failed_server_cpu_util": med([r["result"]["server_cpu_util"] for r in failed])
        if failed else None,
        "failed_loadgen_cpu_util": med([r["result"]["loadgen_cpu_util"] for r in failed])
        if failed else None,
        "rounds": len(per_round),
    }


def ladder_curve(runs, server, value=lambda res: res["latency_us"]["p99"] / 1000, combine=med):
    """offered -> value over rounds (default: median p99 ms), for every step with a result."""
    points = {}
    for r in runs:
        if r["server"] == server and r["scenario"] == "ladder" and r["result"]:
            points.setdefault(r["offered"], []).append(value(r["result"]))
    return sorted((k, combine(v)) for k, v in points.items())


def relay_frame_limit(cfg):
    """The --max-frame-bytes the relay runs with (a --relay-arg may change it)."""
    args = cfg.relay_args
    for i, arg in enumerate(args):
        if arg.startswith("--max-frame-bytes="):
            return int(arg.split("=", 1)[1])
        if arg == "--max-frame-bytes" and i + 1 < len(args):
            return int(args[i + 1])
    return RELAY_MAX_FRAME_BYTES


def fmt(value, digits=3):
    if value is None:
        return "–"
    if isinstance(value, float):
        if abs(value) >= 1e5:
            return f"{value:,.0f}"
        return f"{value:.{digits}g}"
    return str(value)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def closes_by_code(results):
    """Close frames by code, the most any round saw ({"4001": 603})."""
    worst = {}
    for r in results:
        for code, n in r.get("closes", {}).items():
            worst[code] = max(worst.get(code, 0), n)
    return worst


def summarize(runs):
    summary = {}
    for scenario in ("s1", "s2", "s4", "s2legacy", "s2idle", "s2verified", "s3", "s3lossless"):
        for server in ("relay", "node", scale_out.KIND):
            rs = results_of(runs, server, scenario)
            if not rs:
                continue
            if scenario.startswith("s3"):
                summary[(scenario, server)] = {
                    "rss_per_conn_bytes": med([r["rss_per_conn_bytes"] for r in rs]),
                    "connected": med([r["connected"] for r in rs]),
                    "dropped": max(r["dropped"] for r in rs),
                    "closes": max(sum(r["closes"].values()) for r in rs),
                    "closes_by_code": closes_by_code(rs),
                    "rounds": len(rs)}
                continue
            summary[(scenario, server)] = {
                "deliveries_per_s": med([r["deliveries_per_s"] for r in rs]),
                "server_cpu_per_delivery_us": med([r["server_cpu_per_delivery_us"] for r in rs]),
                "server_cpu_util": med([r["server_cpu_util"] for r in rs]),
                "loadgen_cpu_util": med([r["loadgen_cpu_util"] for r in rs]),
                "p50_us": med([r["latency_us"]["p50"] for r in rs]),
                "p99_us": med([r["latency_us"]["p99"] for r in rs]),
                "p999_us": med([r["latency_us"]["p999"] for r in rs]),
                "msgs_per_frame": med([r["msgs_per_frame"] for r in rs]),
                "largest_frame_bytes": max(r.get("largest_frame_bytes", 0) for r in rs),
                "lost": max(r["lost"] for r in rs),
                "dropped": max(r["dropped"] for r in rs),
                "expected": med([r["expected"] for r in rs]),
                "other_cpu_cores": med([r.get("machine_busy_cores", 0) - r["server_cpu_util"] -
                                        r["loadgen_cpu_util"] for r in rs
                                        if r.get("machine_busy_cores") is not None]),
                "tcp_retrans": med([r.get("tcp", {}).get("RetransSegs") for r in rs]),
                "tcp_timeouts": med([r.get("tcp", {}).get("TCPTimeouts") for r in rs]),
                "delivered": med([r["delivered_in_window"] for r in rs]),
                **scale_out.broker_summary(rs, med),
                "rounds": len(rs)}
    for scenario in ("joins", "joinsverified"):
        rs = results_of(runs, "relay", scenario)
        if rs:
            summary[(scenario, "relay")] = {
                "joins_per_s": med([r["joins_per_s"] for r in rs]),
                "connected": med([r["connected"] for r in rs]),
                "clients": med([r["clients"] for r in rs]),
                "rounds": len(rs)}
    return summary


def delivery_table(title, what, rows):
    """A markdown section comparing S2-like runs: (name, summary) per row."""
    lines = [f"## {title}", "",
             f"| {what} | expected | delivered | lost | dropped | CPU/delivery µs | p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in rows:
        lines.append(f"| {name} | {fmt(s['expected'])} | {fmt(s['delivered'])} | {s['lost']} "
                     f"| {s['dropped']} | {fmt(s['server_cpu_per_delivery_us'])} | "
                     f"{fmt(s['p99_us'] / 1000)} |")
    return lines


def verified_markdown(summary, anonymous_s2):
    """S2 with every client verified beside the anonymous S2, and the join
    throughput without and with tokens (issue 16, acceptance 7)."""
    lines = []
    ver = summary.get(("s2verified", "relay"))
    if ver and anonymous_s2:
        lines += delivery_table("Relay, S2 with every client verified (tokens, guests refused)",
                                "run", (("anonymous", anonymous_s2), ("verified", ver)))
        lines.append("")
    plain, tokens = summary.get(("joins", "relay")), summary.get(("joinsverified", "relay"))
    if plain and tokens:
        lines += ["## Relay, join throughput (lossless, idle clients; ready at the welcome)", "",
                  "| joins | clients | connected | joins/s |", "|---|---:|---:|---:|"]
        for name, s in (("anonymous", plain), ("with tokens (HS256)", tokens)):
            lines.append(f"| {name} | {fmt(s['clients'])} | {fmt(s['connected'])} | "
                         f"{s['joins_per_s']:.0f} |")
        lines += ["", "Tokens cost per join: ratio "
                  f"{fmt(ratio(tokens['joins_per_s'], plain['joins_per_s']))} of the anonymous "
                  "rate.", ""]
    return lines


def markdown(cfg, runs, summary):
    lines = [f"# hubchat benchmark results ({time.strftime('%Y-%m-%d %H:%M')})", "",
             f"Medians of {cfg.rounds} round(s); servers pinned `{' '.join(cfg.server_pin) or '-'}`"
             f", generator `{' '.join(cfg.gen_pin) or '-'}` with {cfg.threads} thread(s). "
             "Ratio = relay / node.", ""]
    rows = [("S1 closed-loop, 100 clients, 10 senders x W16: deliveries/s", "s1",
             "deliveries_per_s"),
            ("S1 p99 latency (ms)", "s1", "p99_us"),
            ("S1 server CPU per delivery (µs)", "s1", "server_cpu_per_delivery_us"),
            ("S1 messages per frame", "s1", "msgs_per_frame"),
            (f"S1 largest frame (bytes; relay limit {relay_frame_limit(cfg)})", "s1",
             "largest_frame_bytes"),
            ("S1 TCP retransmits during the run (system-wide)", "s1", "tcp_retrans"),
            ("S1 TCP RTO timeouts during the run (system-wide)", "s1", "tcp_timeouts"),
            ("S1 CPU used by other processes during the run (cores, approx.)", "s1",
             "other_cpu_cores"),
            ("S2 1000 clients, 5 x 20 msg/s: server CPU per delivery (µs)", "s2",
             "server_cpu_per_delivery_us"),
            ("S2 deliveries/s", "s2", "deliveries_per_s"),
            ("S2 p50 latency (ms)", "s2", "p50_us"),
            ("S2 p99 latency (ms)", "s2", "p99_us"),
            ("S2 messages per frame", "s2", "msgs_per_frame"),
            (f"S2 largest frame (bytes; relay limit {relay_frame_limit(cfg)})", "s2",
             "largest_frame_bytes"),
            ("S2 lost / dropped (max over rounds)", "s2", None),
            ("S4 1000 clients, 2 x 2 msg/s (a quiet room): p50 latency (ms)", "s4", "p50_us"),
            ("S4 p99 latency (ms)", "s4", "p99_us"),
            ("S3 RSS per idle connection (bytes), 5000 conns, legacy", "s3",
             "rss_per_conn_bytes")]
    lines += ["| metric | relay | node ws | ratio |", "|---|---:|---:|---:|"]
    for title, scenario, key in rows:
        a = summary.get((scenario, "relay"))
        b = summary.get((scenario, "node"))
        if not a and not b:
            continue
        if key is None:
            va = f"{a['lost']} / {a['dropped']}" if a else "–"
            vb = f"{b['lost']} / {b['dropped']}" if b else "–"
            lines.append(f"| {title} | {va} | {vb} | |")
            continue
        va = a.get(key) if a else None
        vb = b.get(key) if b else None
        if key.endswith("_us") and "latency" in title:
            va = va / 1000 if va is not None else None
            vb = vb / 1000 if vb is not None else None
        shown = "" if key in ("tcp_retrans", "tcp_timeouts", "other_cpu_cores",
                              "largest_frame_bytes") else fmt(ratio(va, vb))
        lines.append(f"| {title} | {fmt(va)} | {fmt(vb)} | {shown} |")
    lr, ln = ladder_max(runs, "relay"), ladder_max(runs, "node")
    if lr or ln:
        va = lr["offered"] if lr else None
        vb = ln["offered"] if ln else None
        lines.append(f"| S2 ladder: highest passing deliveries/s (no loss, no drop, p99 < 100 ms)"
                     f" | {fmt(va)} | {fmt(vb)} | {fmt(ratio(va, vb))} |")
        for name, l in (("relay", lr), ("node", ln)):
            if l and l["offered"]:
                lines.append(f"| ladder max, {name}: p99 ms / server CPU util / generator CPU util"
                             f" | {fmt(l['p99_us'] / 1000 if l['p99_us'] else None)} / "
                             f"{fmt(l['server_cpu_util'])} / {fmt(l['loadgen_cpu_util'])} | | |")
            if l and l["failed_offered"]:
                lines.append(f"| first failing step, {name}: offered/s / server CPU util / "
                             f"generator CPU util | {fmt(l['failed_offered'])} / "
                             f"{fmt(l['failed_server_cpu_util'])} / "
                             f"{fmt(l['failed_loadgen_cpu_util'])} | | |")
    lines.append("")
    leg = summary.get(("s2legacy", "relay"))
    los = summary.get(("s2", "relay"))
    if leg and los:
        match = leg["delivered"] == leg["expected"] and los["delivered"] == los["expected"] \
            and leg["expected"] == los["expected"]
        lines += delivery_table("Relay, S2 in both dialects", "dialect",
                                (("lossless", los), ("legacy", leg)))
        lines += ["", f"Delivery counts match: **{'yes' if match else 'NO'}**", ""]
    lines += verified_markdown(summary, los)
    idle = summary.get(("s2idle", "relay"))
    if idle and los:
        lines += [f"## Relay, S2 beside {S2_IDLE_CLIENTS} idle connections (another room)", "",
                  "| run | CPU/delivery µs | p99 ms | lost | dropped |", "|---|---:|---:|---:|---:|"]
        for name, s in (("S2", los), (f"S2 + {S2_IDLE_CLIENTS} idle", idle)):
            lines.append(f"| {name} | {fmt(s['server_cpu_per_delivery_us'])} | "
                         f"{fmt(s['p99_us'] / 1000)} | {s['lost']} | {s['dropped']} |")
        lines += ["", "Idle connections cost a relay on epoll nothing per message: ratio "
                  f"{fmt(ratio(idle['server_cpu_per_delivery_us'], los['server_cpu_per_delivery_us']))}.",
                  ""]
    s3l = summary.get(("s3lossless", "relay"))
    if s3l:
        by_code = ", ".join(f"{n} with {code}" for code, n in sorted(s3l["closes_by_code"].items()))
        lines += [f"Relay S3 in the lossless dialect (one room): {fmt(s3l['rss_per_conn_bytes'])} "
                  f"bytes per connection, {fmt(s3l['connected'])} connected, {s3l['dropped']} "
                  f"dropped, **{s3l['closes']} closed**" + (f" ({by_code})" if by_code else "") +
                  ".", ""]
    limit = relay_frame_limit(cfg)
    lines += ["## Ladder (p99 ms by offered deliveries/s, median over rounds)", "",
              "Coalescing: the relay's messages per frame (median) and its largest frame (max "
              f"over rounds; limit {limit} bytes) at each step.", "",
              "| offered/s | relay p99 ms | node p99 ms | relay msgs/frame | relay largest frame |",
              "|---:|---:|---:|---:|---:|"]
    cr, cn = dict(ladder_curve(runs, "relay")), dict(ladder_curve(runs, "node"))
    mpf = dict(ladder_curve(runs, "relay", lambda res: res["msgs_per_frame"]))
    big = dict(ladder_curve(runs, "relay", lambda res: res.get("largest_frame_bytes", 0), max))
    for offered in sorted(set(cr) | set(cn)):
        lines.append(f"| {offered:,.0f} | {fmt(cr.get(offered))} | {fmt(cn.get(offered))} | "
                     f"{fmt(mpf.get(offered))} | {fmt(big.get(offered))} |")
    lines += ["", "Chart: `ladder_p99.png` (same folder). Raw runs: `runs.json`.", ""]
    lines += scale_out.markdown(summary, lambda server: ladder_max(runs, server), fmt, ratio)
    storm_lines = storms.storm_summary(cfg.out)
    if storm_lines:
        lines += ["## Big rooms and storms (relay, once)", "", *storm_lines, "",
                  "Raw: `storm-*.json` (same folder).", ""]
    return "\n".join(lines)


def chart(out_dir, runs):
    gnuplot = shutil.which("gnuplot")
    curves = {s: ladder_curve(runs, s) for s in ("relay", "node", scale_out.KIND)}
    plots = []
    for server, points in curves.items():
        if not points:
            continue
        data = out_dir / f"ladder_{server}.dat"
        data.write_text("".join(f"{x} {y}\n" for x, y in points))
        plots.append(f"'{data.name}' using 1:2 with linespoints lw 2 title '{server}'")
    if not plots:
        return None
    script = out_dir / "ladder_p99.gp"
    script.write_text("\n".join([
        "set terminal pngcairo size 900,560" if gnuplot and has_pngcairo(gnuplot)
        else "set terminal png size 900,560",
        "set output 'ladder_p99.png'",
        "set title 'hubchat S2 ladder: p99 latency vs offered load (1000 clients, 5 senders, 64 B)'",
        "set xlabel 'offered deliveries/s'", "set ylabel 'p99 latency (ms)'",
        "set logscale xy", "set grid", "set key left top",
        "set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2",
        "plot " + ", ".join(plots), ""]))
    if not gnuplot:
        log("gnuplot not found (apt-get install -y gnuplot-nox): chart script left at", script)
        return None
    subprocess.run([gnuplot, script.name], cwd=out_dir, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    png = out_dir / "ladder_p99.png"
    return png if png.exists() else None


def has_pngcairo(gnuplot):
    try:
        out = subprocess.run([gnuplot, "-e", "set terminal"], capture_output=True, timeout=10)
        return b"pngcairo" in out.stdout + out.stderr
    except (OSError, subprocess.TimeoutExpired):
        return False


# ---------------------------------------------------------------- smoke

def smoke(bench):
    """Relay only, low rate, both dialects: zero loss, zero drops, no timing checks."""
    phases_ = {"warmup": 0.5, "duration": 2, "drain": 3}
    paced = {"clients": 50, "senders": 5, "rate": 10, **phases_}
    cfg = bench.cfg
    # The verified rows: a relay refusing guests, every client with its token.
    checks = [
        ("paced-lossless", paced, "lossless", None),
        ("paced-legacy", paced, "legacy", None),
        ("closed-loop", {"clients": 20, "senders": 2, "window": 4, **phases_}, "lossless", None),
        ("paced-verified", verified(cfg, paced), "lossless", verified_flags(cfg)),
        ("paced-legacy-verified", verified(cfg, paced), "legacy", verified_flags(cfg)),
    ]
    failed = 0
    for name, args, dialect, flags in checks:
        r = bench.run("relay", f"smoke-{name}", args, dialect, 1, relay_flags=flags)
        problems = connect_problems(r, args)
        if r is not None:
            if r.get("tokens") != ("token-key" in args):
                problems.append(f"tokens {r.get('tokens')}")
            if r["expected"] == 0 or r["delivered_in_window"] != r["expected"] or r["lost"]:
                problems.append(f"delivered {r['delivered_in_window']} of {r['expected']}")
            for key in ("dropped", "gaps", "duplicates", "out_of_order", "foreign"):
                if r[key]:
                    problems.append(f"{key}={r[key]}")
            largest = r.get("largest_frame_bytes", 0)
            if not 0 < largest <= relay_frame_limit(bench.cfg):
                problems.append(f"largest frame {largest} bytes "
                                f"(limit {relay_frame_limit(bench.cfg)})")
        failed += smoke_verdict(name, problems)
    failed += smoke_s3lossless(bench)
    print(f"{len(checks) + 1 - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


def connect_problems(r, args):
    """What a smoke run got wrong before any message: no result, or not every client connected."""
    if r is None:
        return ["no result"]
    if r["connected"] != args["clients"] or r["connect_failures"]:
        return [f"connected {r['connected']}/{args['clients']}"]
    return []


def smoke_verdict(name, problems, detail=""):
    """Prints one smoke check's line; returns 1 if it failed."""
    status = "ok" if not problems else "FAILED: " + ", ".join(problems)
    print(f"bench_smoke {name}: {status}{detail}", flush=True)
    return 1 if problems else 0


def smoke_s3lossless(bench):
    """The s3lossless row (5000 idle lossless clients in one room): nobody is closed.
    Returns 1 if that failed."""
    args = s3_args(bench.cfg)
    r = bench.run("relay", "s3lossless", args, "lossless", 1)
    problems = connect_problems(r, args)
    if r is not None:
        closed = sum(r["closes"].values())
        if closed or r["hangups"] or r["protocol_errors"]:
            problems.append(f"{closed} closed {r['closes']}, {r['hangups']} hangups")
        problems += [] if r["rss_per_conn_bytes"] is not None else ["no RSS reading"]
    closes = r["closes"] if r else None
    return smoke_verdict("s3lossless", problems, f" (closes {closes})")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=str(REPO / "build" / "bench"))
    ap.add_argument("--relay", help="relay binary (default: found in --build-dir)")
    ap.add_argument("--loadgen", help="hubchat_loadgen binary (default: found in --build-dir)")
    ap.add_argument("--relay-arg", dest="relay_args", action="append", default=[],
                    help="extra relay argument (repeatable), e.g. --relay-arg=--flush-interval=5")
    ap.add_argument("--node", default=shutil.which("node") or "node")
    ap.add_argument("--out", help="results folder (default: BUILD_DIR/results)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--servers", default="relay,node," + scale_out.KIND,
                    help=f"relay, node, {scale_out.KIND} ({scale_out.RELAYS} relays sharing the "
                    "room through a private redis-server)")
    ap.add_argument("--scenarios",
                    default="s1,s2,s2legacy,s2idle,s2verified,joins,ladder,s3,storms")
    ap.add_argument("--ladder-steps", type=int, default=0, help="use only the first N steps")
    ap.add_argument("--no-s3-lossless", dest="s3_lossless", action="store_false",
                    help="skip S3 with lossless clients on the relay")
    ap.add_argument("--port", type=int, default=18100, help="first port (one per run)")
    ap.add_argument("--quiet-wait", type=float, default=20.0,
                    help="seconds to wait (at most) before each run for the machine to go idle")
    ap.add_argument("--quick", action="store_true", help="1 round, short phases, short ladder")
    ap.add_argument("--smoke", action="store_true", help="CTest smoke: relay only, asserts")
    ap.add_argument("--storm", choices=sorted(storms.STORMS),
                    help="one big-room storm (CTest bench_storm_*): asserts, prints its figures")
    ap.add_argument("--storm-driver", help="hubchat_storm binary (default: found in --build-dir)")
    ap.add_argument("--storm-clients", type=int, default=10000, help="members of the storm's room")
    ap.add_argument("--storm-source-ips", type=int, default=1,
                    help="storm clients bind to 127.0.0.1..127.0.0.N (if ephemeral ports run out)")
    ap.add_argument("--million", action="store_true",
                    help="only the million-connection rung (million.py); needs root for "
                    "fs.nr_open and the open-file limit")
    ap.add_argument("--million-steps", default=",".join(map(str, million.STEPS)),
                    help="connections per step, comma-separated")
    ap.add_argument("--million-room", type=int, default=million.ROOM,
                    help="members of the room that gets the message")
    cfg = ap.parse_args()
    cfg.million_steps = [int(x) for x in cfg.million_steps.split(",") if x.strip()]

    build_dir = Path(cfg.build_dir).resolve()
    cfg.relay = find_binary(cfg.relay, build_dir, ["relay/relay", "relay"])
    cfg.loadgen = find_binary(cfg.loadgen, build_dir,
                              ["bench/hubchat_loadgen", "tests/bench/hubchat_loadgen"])
    cfg.storm_driver = find_binary(cfg.storm_driver, build_dir,
                                   ["bench/hubchat_storm", "tests/bench/hubchat_storm"])
    if cfg.storm and (not cfg.relay or not cfg.storm_driver):
        sys.exit(f"relay ({cfg.relay}) or hubchat_storm ({cfg.storm_driver}) not found; build "
                 "them or pass --relay/--storm-driver")
    if not cfg.storm and (not cfg.relay or not cfg.loadgen):
        sys.exit(f"relay ({cfg.relay}) or hubchat_loadgen ({cfg.loadgen}) not found; build them "
                 "or pass --relay/--loadgen")
    cfg.out = Path(cfg.out).resolve() if cfg.out else build_dir / "results"
    cfg.out.mkdir(parents=True, exist_ok=True)
    cfg.server_pin, cfg.gen_pin, cfg.threads = pinning()
    fds = raise_fd_limit()
    if cfg.quick:
        cfg.rounds = 1
        cfg.ladder_steps = cfg.ladder_steps or 8
    if fds < 12000 and "s3" in scenario_list(cfg):
        log(f"open-file limit {fds} is below what S3 needs (5000 connections + server side)")
    bench = Bench(cfg)

    if cfg.storm:
        need = cfg.storm_clients + 100  # per process: the relay and the driver each
        if fds < need:
            log(f"open-file limit {fds} is below what the storm needs ({need})")
        sys.exit(storms.storm_test(cfg, cfg.storm, lambda port, flags: Server(
            "relay", cfg, port, flags), bench.next_port(), cfg.storm_clients))

    if cfg.million:
        records = million.million(cfg, lambda port, flags: Server("relay", cfg, port, flags),
                                  bench.next_port, relay_connections)
        text = million.markdown(records)
        (cfg.out / "million.md").write_text(text)
        print(text)
        sys.exit(0 if records and all("error" not in r for r in records) else 1)

    if cfg.smoke:
        cfg.quiet_wait = 0
        rc = smoke(bench)
        (cfg.out / "runs.json").write_text(json.dumps(bench.runs, indent=1))
        sys.exit(rc)

    if "node" in cfg.servers and not (HERE / "node_modules" / "ws").is_dir():
        log("installing the baseline's node modules (npm ci)")
        subprocess.run(["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund",
                        "--loglevel=error"], check=True, timeout=300)
    if scale_out.KIND in cfg.servers and not scale_out.redis_binary():
        log(f"redis-server not found: {scale_out.KIND} skipped")
        cfg.servers = ",".join(s for s in cfg.servers.split(",") if s != scale_out.KIND)
    started = time.monotonic()
    run_all(bench)
    (cfg.out / "runs.json").write_text(json.dumps(bench.runs, indent=1))
    summary = summarize(bench.runs)
    summary_json = {f"{k[0]}/{k[1]}": v for k, v in summary.items()}
    summary_json["ladder/relay"] = ladder_max(bench.runs, "relay")
    summary_json["ladder/node"] = ladder_max(bench.runs, "node")
    summary_json[f"ladder/{scale_out.KIND}"] = ladder_max(bench.runs, scale_out.KIND)
    (cfg.out / "summary.json").write_text(json.dumps(summary_json, indent=1))
    png = chart(cfg.out, bench.runs)
    text = markdown(cfg, bench.runs, summary)
    (cfg.out / "results.md").write_text(text)
    print(text)
    log(f"done in {time.monotonic() - started:.0f} s; results in {cfg.out}"
        + (f", chart {png}" if png else ""))


if __name__ == "__main__":
    main()
