#!/usr/bin/env python3
"""Publish rate over many rooms with 1, 2 and 4 Redis shards (stdlib only).

For each shard count N: N private redis-servers (no persistence), one relay
with --redis given N times, and client processes holding one lossless
connection per room (1,000 rooms by default). Each connection is closed-loop:
it keeps --window messages outstanding and sends another as each of its own
copies comes back (a copy is the relay's acknowledgement: the message went
through publish.lua on its room's shard). The rate is copies per second over
the measured seconds, all rooms together.

Beside it, the ceiling: `redis-benchmark` running EVALSHA of publish.lua
(the same script, the same arguments the relay gives it, into one room)
against one redis-server on the same machine.

Pinning: the relay, each redis-server, redis-benchmark and the clients each
get a core of their own where the machine has enough (os.sched_getaffinity);
where it does not, the output says which share. Run it on a quiet machine:

  python3 tests/bench/shards.py                       # 1, 2, 4 shards, 10 s each
  python3 tests/bench/shards.py --smoke               # tiny check that it runs
"""

import argparse
import asyncio
import base64
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from run import wait_for_port
from scale_out import ChildProcess, redis_binary

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PUBLISH_LUA = REPO / "relay" / "broker" / "lua" / "publish.lua"
MARKER = b"BENCHMSG"  # every body holds it once: counting copies is a substring count


def log(*parts):
    print("[shards]", *parts, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cores:
    """Hands out one core per role; wraps around (and says so) when they run out."""

    def __init__(self):
        self.cores = sorted(os.sched_getaffinity(0))
        self.next = 0
        self.shared = []

    def take(self, role):
        core = self.cores[self.next % len(self.cores)]
        if self.next >= len(self.cores):
            self.shared.append(f"{role} shares core {core}")
        self.next += 1
        return core

    def pin(self, core):
        return ["taskset", "-c", str(core)] if shutil.which("taskset") else []


def start_redis(core, cores):
    port = free_port()
    child = ChildProcess(cores.pin(core) + [
        redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no", "--logfile", ""])
    if not wait_for_port(port, child.proc):
        raise RuntimeError(f"redis-server did not start: {child.stop()}")
    return port, child


# ---- a minimal lossless WebSocket client (client frames masked, RFC 6455) ----

def frame(text):
    payload = text.encode()
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = bytes([0x81, 0x80 | n])
    elif n < 65536:
        head = bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x81, 0x80 | 127]) + n.to_bytes(8, "big")
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


async def read_message(reader):
    """One server frame's payload (server frames are not masked)."""
    head = await reader.readexactly(2)
    n = head[1] & 0x7F
    if n == 126:
        n = int.from_bytes(await reader.readexactly(2), "big")
    elif n == 127:
        n = int.from_bytes(await reader.readexactly(8), "big")
    payload = await reader.readexactly(n)
    if head[0] & 0x0F == 0x8:
        raise ConnectionError(f"closed by the relay: {payload[:2].hex()} {payload[2:]!r}")
    return payload


async def room_client(port, room, window, clock):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: hubchat.v1\r\n\r\n")
                 .encode())
    response = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in response.split(b"\r\n", 1)[0]:
        raise ConnectionError(response[:200])
    writer.write(frame('{"type":"join","room":"%s","nick":"b"}' % room))
    while b'"welcome"' not in await read_message(reader):
        pass
    message = '{"type":"msg","body":"%s"}' % MARKER.decode()
    await clock["go"].wait()
    writer.write(frame("\n".join([message] * window)))
    while not clock["done"]:
        copies = (await read_message(reader)).count(MARKER)
        if clock["measuring"]:
            clock["count"] += copies
        if copies:
            writer.write(frame("\n".join([message] * copies)))
    writer.close()


def client_process(port, rooms, window, warmup, duration, start_at, out):
    async def main():
        clock = {"go": asyncio.Event(), "measuring": False, "done": False, "count": 0}
        tasks = [asyncio.create_task(room_client(port, r, window, clock)) for r in rooms]
        await asyncio.sleep(max(0.0, start_at - time.time()))
        clock["go"].set()
        await asyncio.sleep(warmup)
        clock["measuring"] = True
        await asyncio.sleep(duration)
        clock["measuring"] = False
        clock["done"] = True
        failed = [t.exception() for t in tasks if t.done() and t.exception()]
        for t in tasks:
            t.cancel()
        out.put((clock["count"], [str(f) for f in failed[:3]]))

    asyncio.run(main())


def relay_rate(args, shards, cores):
    """Copies per second through a relay with `shards` redis-servers."""
    cores.next = 0
    relay_core = cores.take("the relay")
    servers = [start_redis(cores.take(f"redis-server {i + 1}"), cores) for i in range(shards)]
    client_cores = [cores.take(f"client process {i + 1}") for i in range(args.client_procs)]
    port = free_port()
    cmd = cores.pin(relay_core) + [args.relay, "--port", str(port), "--host", "127.0.0.1",
                                   "--rate-limit", "0", "--log-level", "error",
                                   "--max-connections-per-ip", str(args.rooms + 10)]
    for redis_port, _ in servers:
        cmd += ["--redis", f"redis://127.0.0.1:{redis_port}"]
    relay = ChildProcess(cmd)
    try:
        if not wait_for_port(port, relay.proc):
            raise RuntimeError(f"the relay did not start: {relay.stop()}")
        rooms = [f"bench-{i}" for i in range(args.rooms)]
        out = multiprocessing.Queue()
        start_at = time.time() + args.connect_s
        procs = []
        for i in range(args.client_procs):
            p = multiprocessing.Process(target=client_process, args=(
                port, rooms[i::args.client_procs], args.window, args.warmup, args.duration,
                start_at, out))
            p.start()
            os.sched_setaffinity(p.pid, {client_cores[i]})
            procs.append(p)
        total, failures = 0, []
        for _ in procs:
            count, failed = out.get(timeout=args.connect_s + args.warmup + args.duration + 30)
            total += count
            failures += failed
        for p in procs:
            p.join(timeout=10)
        if failures:
            log("client failures:", failures)
        return total / args.duration
    finally:
        relay.stop()
        for _, child in servers:
            child.stop()


def benchmark_rate(args, cores):
    """redis-benchmark's EVALSHA rate of publish.lua on one redis-server."""
    cores.next = 1
    port, child = start_redis(cores.take("redis-server (redis-benchmark)"), cores)
    bench_core = cores.take("redis-benchmark")
    try:
        cli = ["redis-cli", "-p", str(port)]
        sha = subprocess.run(cli + ["SCRIPT", "LOAD", PUBLISH_LUA.read_text()], check=True,
                             capture_output=True, text=True).stdout.strip()
        info = subprocess.run(cli + ["INFO", "server"], check=True, capture_output=True,
                              text=True).stdout
        run_id = re.search(r"run_id:(\w+)", info).group(1)
        # The relay's arguments (redis_broker.cpp, publish): 2 keys (no
        # dedupe key: the bench clients send no ids), then channel, MAXLEN,
        # epoch, ts, from, id, body, dedupe seconds, seen epoch and top, run
        # id, durable. One room: redis-benchmark draws every __rand_int__ of
        # a command on its own, so a room's meta and Stream keys cannot be
        # paired (publish.lua then fails on XADD); Redis's cost per call does
        # not depend on how many rooms there are.
        room = "{bench}"
        cmd = cores.pin(bench_core) + [
            "redis-benchmark", "-p", str(port), "-c", "50", "-P", str(args.pipeline),
            "-n", str(args.requests), "--csv",
            "EVALSHA", sha, "2", f"b:{room}:meta", f"b:{room}:log", f"b:{room}:live", "4096",
            str(int(time.time() * 1000)), "0", "b", "", "BENCHMSG", "600", "0", "0", run_id,
            "0"]
        text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        rates = re.findall(r'"([\d.]+)"', text)
        return float(rates[0]) if rates else 0.0
    finally:
        child.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relay", default=str(REPO / "build/native/relay/relay"))
    parser.add_argument("--shards", default="1,2,4", help="shard counts, comma-separated")
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--window", type=int, default=8, help="messages outstanding per room")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--connect-s", type=float, default=5.0, help="seconds to connect")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--requests", type=int, default=1_000_000, help="redis-benchmark -n")
    parser.add_argument("--pipeline", type=int, default=16, help="redis-benchmark -P")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny run (20 rooms, 1 and 2 shards, 1 s): checks it works")
    args = parser.parse_args()
    if args.smoke:
        args.rooms, args.shards, args.client_procs = 20, "1,2", 1
        args.connect_s, args.warmup, args.duration, args.requests = 2.0, 0.5, 1.0, 20_000
    for tool in ("redis-server", "redis-cli", "redis-benchmark"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (apt install redis-server redis-tools)")

    cores = Cores()
    print(f"machine: {len(cores.cores)} cores available ({cores.cores})")
    rows = []
    for shards in (int(s) for s in args.shards.split(",")):
        cores.shared = []
        rate = relay_rate(args, shards, cores)
        rows.append((shards, rate, list(cores.shared)))
        log(f"{shards} shard(s): {rate:,.0f} msg/s")
    cores.shared = []
    ceiling = benchmark_rate(args, cores)
    ceiling_shared = list(cores.shared)

    print(f"\npublish rate over {args.rooms} rooms, one relay, window {args.window} per room, "
          f"{args.duration:g} s measured")
    print("| shards | msg/s | vs redis-benchmark EVALSHA (one server) |")
    print("|---|---|---|")
    for shards, rate, _ in rows:
        print(f"| {shards} | {rate:,.0f} | {rate / ceiling:.2f}x |" if ceiling else
              f"| {shards} | {rate:,.0f} | n/a |")
    print(f"\nredis-benchmark EVALSHA publish.lua (-c 50 -P {args.pipeline}, one room): "
          f"{ceiling:,.0f} calls/s")
    for shards, _, shared in rows:
        if shared:
            print(f"pinning with {shards} shard(s): not enough cores: " + "; ".join(shared))
    if ceiling_shared:
        print("pinning for redis-benchmark: not enough cores: " + "; ".join(ceiling_shared))


if __name__ == "__main__":
    main()
