"""Several relays sharing one room through Redis, for the benchmark runner.

`SharedRoomRelays` starts a private redis-server (no persistence) and N relays
with `--redis`, each pinned like any server of the runner, and exposes the same
face as run.py's `Server` (ports, pids, stop) plus the broker's pid, so one
loadgen run spreads its clients over every relay (client i -> relay i mod N,
senders on each) and reports the relays' CPU summed and redis-server's apart.
"""

import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

KIND = "redis2"  # the runner's server name: 2 relays + 1 redis-server
RELAYS = 2


def redis_binary():
    return shutil.which("redis-server")


def cores_of(pid):
    """The CPU list a process may run on (Cpus_allowed_list), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Cpus_allowed_list:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


class ChildProcess:
    """A pinned child whose stderr goes to a file (nobody reads a pipe during a run)."""

    def __init__(self, cmd):
        self.errors = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.errors,
                                     start_new_session=True)

    def stop(self, timeout_s=5.0):
        """SIGTERM, then wait for this pid to exit (SIGKILL after timeout_s); returns stderr's tail."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.errors.seek(0)
        return self.errors.read().decode(errors="replace")[-2000:]


class SharedRoomRelays:
    """redis-server on `port`, relays on port+1..port+RELAYS, all on the server core."""

    def __init__(self, cfg, port, relay_command, wait_for_port):
        self.kind = KIND
        self.redis = ChildProcess(cfg.server_pin + [
            redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--logfile", ""])
        self.relays = []
        if not wait_for_port(port, self.redis.proc):
            raise RuntimeError(f"redis-server did not start on port {port}: {self.stop()}")
        url = f"redis://127.0.0.1:{port}"
        for i in range(1, RELAYS + 1):
            relay = ChildProcess(cfg.server_pin + relay_command(port + i) +
                             ["--redis", url, "--redis-prefix", f"bench{port}"])
            self.relays.append(relay)
            if not wait_for_port(port + i, relay.proc):
                raise RuntimeError(f"relay {i} did not start on port {port + i}: {self.stop()}")
        self.ports = [port + i for i in range(1, RELAYS + 1)]

    @property
    def pids(self):
        return [r.proc.pid for r in self.relays]

    @property
    def broker_pid(self):
        return self.redis.proc.pid

    def cores(self):
        """Where each process was allowed to run, for the record."""
        out = {f"relay{i + 1}": cores_of(pid) for i, pid in enumerate(self.pids)}
        out["redis"] = cores_of(self.broker_pid)
        return out

    def stop(self):
        errors = "".join(r.stop() for r in self.relays)
        return errors + self.redis.stop()


def markdown(summary, ladder_max, fmt, ratio):
    """The results.md section: 2 relays through Redis against 1 relay in memory."""
    one = summary.get(("s2", "relay"))
    two = summary.get(("s2", KIND))
    if not two:
        return []
    lines = [f"## Several relays: S2 over {RELAYS} relays sharing the room through Redis", "",
             "Clients alternate between the relays (500 on each), senders on both. Relay CPU is "
             "the sum over the relays; redis-server's is apart.", "",
             f"| metric | 1 relay, in memory | {RELAYS} relays + Redis | ratio |",
             "|---|---:|---:|---:|"]
    rows = [("deliveries/s", "deliveries_per_s", 1),
            ("relay CPU per delivery (µs, all relays)", "server_cpu_per_delivery_us", 1),
            ("redis-server CPU per delivery (µs)", "broker_cpu_per_delivery_us", 1),
            ("p50 latency (ms)", "p50_us", 1000), ("p99 latency (ms)", "p99_us", 1000),
            ("messages per frame", "msgs_per_frame", 1)]
    for title, key, scale in rows:
        va = one.get(key) if one else None
        vb = two.get(key)
        va = va / scale if va is not None else None
        vb = vb / scale if vb is not None else None
        lines.append(f"| {title} | {fmt(va)} | {fmt(vb)} | {fmt(ratio(vb, va))} |")
    lines.append(f"| lost / dropped (max over rounds) | {one['lost'] if one else '–'} / "
                 f"{one['dropped'] if one else '–'} | {two['lost']} / {two['dropped']} | |")
    l1, l2 = ladder_max("relay"), ladder_max(KIND)
    if l2:
        va = l1["offered"] if l1 else None
        lines.append(f"| ladder: highest passing deliveries/s | {fmt(va)} | "
                     f"{fmt(l2['offered'])} | {fmt(ratio(l2['offered'], va))} |")
    lines.append("")
    return lines


def broker_summary(results, med):
    """Extra per-run figures of the scale-out rows (redis-server CPU)."""
    return {"broker_cpu_per_delivery_us": med([r.get("broker_cpu_per_delivery_us")
                                               for r in results]),
            "broker_cpu_util": med([r.get("broker_cpu_util") for r in results])}
