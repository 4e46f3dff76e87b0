"""The million-connection rung (docs/benchmark.md): idle connections on one relay.

For each step (100k, 250k, 500k, 1M by default) a fresh relay gets N idle
connections: N - ROOM legacy clients in room "idlers" from one generator, then
ROOM legacy clients in room "big" from a second one, which holds them quiet
(--settle) while this runner reads the relay's RSS and the kernel's socket
memory, and then sends one message into "big". The step reports RSS per
connection, the connect rate, the time until the last of the ROOM members has
the message (the generator's maximum latency), /proc/net/sockstat and the
kernel slab growth.

The generators spread their sockets over 127.0.0.0/8 source addresses (one
address has only ~28k ephemeral ports toward one server port). The system's
open-file limits are raised for the run only and restored afterwards; a step
that does not fit the limits or the memory is skipped with the reason.
"""

import json
import math
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

STEPS = [100_000, 250_000, 500_000, 1_000_000]
ROOM = 100_000
PER_SOURCE_ADDRESS = 20_000  # below the 28,232 ports of the default ip_local_port_range
IDLE_BASE, ROOM_BASE = "127.1.0.1", "127.2.0.1"  # apart, so the two never share a port space
SETTLE_S = 5.0  # the room generator's quiet hold: this runner samples meanwhile
FD_HEADROOM = 4096  # descriptors beyond the connections, per process
# A guess per connection for both ends (relay ~1.7 kB, generator ~0.5 kB,
# two kernel sockets ~3 kB each); a step needing more than MEMORY_SHARE of
# MemAvailable is skipped rather than pushing the machine into the OOM killer.
BYTES_PER_CONNECTION_GUESS = 9_000
MEMORY_SHARE = 0.8
# Connect deadlines assume at least this rate (this machine, shared: ~800-2,700/s).
CONNECTS_PER_S_FLOOR = 500


def log(*parts):
    print("[million]", *parts, flush=True)


def read_sysctl(name):
    return int(Path("/proc/sys", *name.split(".")).read_text().split()[0])


def write_sysctl(name, value):
    Path("/proc/sys", *name.split(".")).write_text(f"{value}\n")


def meminfo():
    """/proc/meminfo in bytes."""
    out = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, rest = line.split(":", 1)
        fields = rest.split()
        out[key] = int(fields[0]) * (1024 if len(fields) > 1 else 1)
    return out


def sockstat():
    """/proc/net/sockstat as {"TCP": {"inuse": .., "mem": .. (pages)}, ...}."""
    out = {}
    for line in Path("/proc/net/sockstat").read_text().splitlines():
        kind, rest = line.split(":", 1)
        fields = rest.split()
        out[kind] = {k: int(v) for k, v in zip(fields[::2], fields[1::2])}
    return out


def rss_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


class RaisedLimits:
    """fs.nr_open, fs.file-max and this process's RLIMIT_NOFILE raised to what
    `per_process` descriptors in each of a few processes need, for the run
    only: __exit__ puts back every value it changed."""

    def __init__(self, per_process, processes=3):
        self.per_process, self.processes = per_process, processes
        self.saved_sysctls, self.saved_rlimit = {}, None

    def _raise_sysctl(self, name, want):
        try:
            have = read_sysctl(name)
            if have < want:
                write_sysctl(name, want)
                self.saved_sysctls[name] = have
                log(f"{name}: {have} -> {want} for this run")
        except OSError as e:
            log(f"{name}: cannot raise to {want} ({e})")

    def __enter__(self):
        self._raise_sysctl("fs.nr_open", self.per_process)
        self._raise_sysctl("fs.file-max", self.per_process * self.processes)
        self.saved_rlimit = resource.getrlimit(resource.RLIMIT_NOFILE)
        soft, hard = self.saved_rlimit
        if hard != resource.RLIM_INFINITY and hard < self.per_process:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (self.per_process, self.per_process))
            except (OSError, ValueError) as e:
                log(f"RLIMIT_NOFILE: hard limit {hard} stays ({e}; needs CAP_SYS_RESOURCE)")
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return self

    def open_files(self):
        """Descriptors each child process may open (they inherit this limit)."""
        return resource.getrlimit(resource.RLIMIT_NOFILE)[0]

    def __exit__(self, *exc):
        for name, value in reversed(list(self.saved_sysctls.items())):
            try:
                write_sysctl(name, value)
                log(f"{name}: restored to {value}")
            except OSError as e:
                log(f"{name}: could not restore {value} ({e})")
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, self.saved_rlimit)
        except (OSError, ValueError):
            pass  # a lowered hard limit cannot always be raised back; the process ends soon


def generator(cfg, port, pid, mode, clients, room, base, extra):
    cmd = cfg.gen_pin + [str(cfg.loadgen), "--port", str(port), "--mode", mode, "--dialect",
                         "legacy", "--room", room, "--clients", str(clients), "--server-pid",
                         str(pid), "--source-base", base, "--source-ips",
                         str(max(1, math.ceil(clients / PER_SOURCE_ADDRESS))),
                         "--max-handshakes", "256"] + extra
    out = tempfile.TemporaryFile()
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT), out


def result_of(proc, out, timeout):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    out.seek(0)
    lines = [l for l in out.read().decode(errors="replace").splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def wait_for_connections(connections, port, count, deadline, procs):
    """Polls connections(port) (the relay's /metrics) until it counts `count`; returns
    the seconds it took (None on the deadline or when a generator exits first)."""
    start = time.monotonic()
    while time.monotonic() < deadline:
        if (connections(port) or 0) >= count:
            return time.monotonic() - start
        if any(p.poll() is not None for p in procs):
            return None
        time.sleep(0.1)
    return None


def fits(step, open_files):
    if step + FD_HEADROOM > open_files:
        return f"open-file limit {open_files} < {step} + {FD_HEADROOM}"
    need = step * BYTES_PER_CONNECTION_GUESS
    available = meminfo().get("MemAvailable", 0)
    if need > MEMORY_SHARE * available:
        return f"needs ~{need >> 20} MiB, {available >> 20} MiB available"
    return None


def run_step(cfg, start_relay, connections, port, step, room):
    """One step: returns its record (a dict) for runs.json and results.md."""
    record = {"scenario": "million", "connections": step, "room": room}
    connect_timeout = min(3600, max(60, int(2 * step / CONNECTS_PER_S_FLOOR)))
    relay = start_relay(port, {"--max-connections": str(step + 1000),
                               "--max-connections-per-ip": str(step),
                               "--handshake-timeout": "120",
                               # not a line per connection end: a million of them
                               "--log-level": "warn"})
    idle_proc = room_proc = None
    try:
        slab0, sock0, rss0 = meminfo().get("Slab"), sockstat(), rss_bytes(relay.pid)
        idle = step - room
        started = time.monotonic()
        if idle > 0:
            idle_proc, idle_out = generator(cfg, port, relay.pid, "idle", idle, "idlers",
                                            IDLE_BASE, ["--duration", "3600", "--connect-timeout",
                                                        str(connect_timeout)])
            took = wait_for_connections(connections, port, idle,
                                        time.monotonic() + connect_timeout + 5, [idle_proc])
            if took is None:
                record["error"] = f"{idle} idle connections not reached"
                return record
        room_proc, room_out = generator(
            cfg, port, relay.pid, "fanout", room, "big", ROOM_BASE,
            ["--senders", "1", "--rate", "0.2", "--warmup", "0", "--duration", "1", "--drain",
             "60", "--settle", str(SETTLE_S), "--connect-timeout", str(connect_timeout),
             "--message-bytes", "64"])
        took = wait_for_connections(connections, port, step,
                                    time.monotonic() + connect_timeout + 5,
                                    [room_proc] + ([idle_proc] if idle_proc else []))
        if took is None:
            record["error"] = f"{step} connections not reached"
            return record
        connect_s = time.monotonic() - started
        # All connected and quiet (the room generator settles): the machine's figures.
        slab1, sock1, rss1 = meminfo().get("Slab"), sockstat(), rss_bytes(relay.pid)
        r = result_of(room_proc, room_out, SETTLE_S + connect_timeout + 120)
        record.update({
            "connect_s": round(connect_s, 2),
            "connects_per_s": round(step / connect_s) if connect_s > 0 else None,
            "relay_rss_bytes": rss1,
            "rss_per_conn_bytes": round((rss1 - rss0) / step) if rss0 and rss1 else None,
            "kernel_slab_per_conn_bytes": round((slab1 - slab0) / step)
            if slab0 and slab1 else None,
            "sockstat_before": sock0, "sockstat": sock1,
            "tcp_mem_bytes": sock1.get("TCP", {}).get("mem", 0) * os.sysconf("SC_PAGE_SIZE"),
        })
        if r is None:
            record["error"] = "the room generator gave no result"
            return record
        record.update({
            "room_connected": r["connected"], "expected": r["expected"],
            "delivered": r["delivered_in_window"], "lost": r["lost"],
            "dropped": r["dropped"],
            "last_member_ms": round(r["latency_us"]["max"] / 1000, 1),
            "median_member_ms": round(r["latency_us"]["p50"] / 1000, 1),
        })
        return record
    finally:
        for proc in (room_proc, idle_proc):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        relay.stop(timeout_s=60)


def million(cfg, start_relay, next_port, connections):
    """Every step that fits; returns the records (also written to million.json).
    start_relay(port, flags) -> a run.Server; connections(port) -> the relay's count."""
    steps = cfg.million_steps
    records = []
    with RaisedLimits(max(steps) + FD_HEADROOM) as limits:
        for step in steps:
            room = min(cfg.million_room, step)
            reason = fits(step, limits.open_files())
            if reason:
                log(f"{step} connections skipped: {reason}")
                records.append({"scenario": "million", "connections": step, "skipped": reason})
                continue
            log(f"{step} connections, room of {room}")
            rec = run_step(cfg, start_relay, connections, next_port(), step, room)
            log(summary_line(rec))
            records.append(rec)
            if "error" in rec:
                break  # a larger step would fail the same way
    (cfg.out / "million.json").write_text(json.dumps(records, indent=1))
    return records


def summary_line(rec):
    if "skipped" in rec or "error" in rec:
        return f"{rec['connections']}: {rec.get('skipped') or rec.get('error')}"
    return (f"{rec['connections']}: rss/conn={rec['rss_per_conn_bytes']} B "
            f"connects/s={rec['connects_per_s']} last of {rec['room']}={rec['last_member_ms']} ms "
            f"lost={rec['lost']} dropped={rec['dropped']} "
            f"kernel slab/conn={rec['kernel_slab_per_conn_bytes']} B "
            f"TCP sockets={rec['sockstat'].get('TCP', {}).get('inuse')} "
            f"TCP mem={rec['tcp_mem_bytes'] >> 20} MiB")


def markdown(records):
    lines = ["## Idle connections on one relay (the million rung)", "",
             "| connections | RSS/conn | connects/s | last of room has the message | lost | "
             "kernel slab/conn | TCP sockets (sockstat) | TCP mem |",
             "|---|---|---|---|---|---|---|---|"]
    for r in records:
        if "skipped" in r or "error" in r:
            lines.append(f"| {r['connections']:,} | {r.get('skipped') or r.get('error')} "
                         "| | | | | | |")
            continue
        lines.append(f"| {r['connections']:,} | {r['rss_per_conn_bytes']} B | "
                     f"{r['connects_per_s']:,} | {r['last_member_ms']} ms ({r['room']:,}) | "
                     f"{r['lost']} | {r['kernel_slab_per_conn_bytes']} B | "
                     f"{r['sockstat'].get('TCP', {}).get('inuse'):,} | "
                     f"{r['tcp_mem_bytes'] >> 20} MiB |")
    return "\n".join(lines) + "\n"
