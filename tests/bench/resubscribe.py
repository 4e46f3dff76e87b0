#!/usr/bin/python3
"""Resubscribe after a pub/sub kill, at scale (issue 15's benchmark).

Relay A (--redis) holds N rooms, one lossless member each. Redis kills A's
pub/sub connection (CLIENT KILL TYPE pubsub); while A is away a writer on
relay B posts one message into every room. Measured: how long until every
member on A has its room's message (every room whole again), how many reads
were at Redis at once (from the relay's point of view: bounded batches), and
Redis's peak memory (INFO memory used_memory_peak) before and after.

Run it alone on a quiet machine (no build, no test run):
  /usr/bin/python3 tests/bench/resubscribe.py --build-dir build/native --rooms 10000
Uses Debian's python3-websockets; every socket is on 127.0.0.1.
"""

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

from run import wait_for_port
from scale_out import ChildProcess, cores_of


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_cli(port, *args):
    out = subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True,
                         timeout=30)
    return out.stdout.strip()


def redis_info(port, key):
    for line in redis_cli(port, "INFO", "memory").splitlines():
        if line.startswith(key + ":"):
            return int(line.split(":", 1)[1])
    return None


async def member(port, room, ready, got, stop):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", subprotocols=["hubchat.v1"],
                                  max_size=None, open_timeout=120, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "join", "room": room, "nick": "m"}))
        welcomed = False
        while not stop.is_set():
            try:
                frame = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except asyncio.TimeoutError:
                continue
            for line in frame.split("\n"):
                event = json.loads(line)
                if event.get("type") == "welcome" and not welcomed:
                    welcomed = True
                    ready.append(room)
                elif event.get("type") == "msg" and event.get("body") == "after-" + room:
                    got[room] = time.monotonic()


async def writer(port, rooms):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", subprotocols=["hubchat.v1"],
                                  max_size=None, ping_interval=None) as ws:
        batch = []
        for room in rooms:
            batch.append(json.dumps({"type": "join", "room": room, "nick": "w"}))
            batch.append(json.dumps({"type": "msg", "body": "after-" + room}))
            if len(batch) >= 200:
                await ws.send("\n".join(batch))
                batch = []
        if batch:
            await ws.send("\n".join(batch))
        await asyncio.sleep(1)


async def run(args):
    rooms = [f"room-{i}" for i in range(args.rooms)]
    ready, got = [], {}
    stop = asyncio.Event()
    tasks = []
    start = time.monotonic()
    for first in range(0, len(rooms), 200):  # in batches: a join storm is another benchmark
        for room in rooms[first:first + 200]:
            tasks.append(asyncio.create_task(member(args.port_a, room, ready, got, stop)))
        want = min(len(rooms), first + 200)
        while len(ready) < want and time.monotonic() - start < 600:
            await asyncio.sleep(0.05)
    joined_s = time.monotonic() - start
    print(f"{len(ready)} of {len(rooms)} members welcomed on relay A in {joined_s:.1f} s", flush=True)
    peak_before = redis_info(args.redis_port, "used_memory_peak")
    used_before = redis_info(args.redis_port, "used_memory")
    killed_at = time.monotonic()
    print("CLIENT KILL TYPE pubsub ->", redis_cli(args.redis_port, "CLIENT", "KILL", "TYPE", "pubsub"))
    await writer(args.port_b, rooms)
    posted_s = time.monotonic() - killed_at
    while len(got) < len(rooms) and time.monotonic() - killed_at < 300:
        await asyncio.sleep(0.1)
    whole_s = (max(got.values()) - killed_at) if got else None
    peak_after = redis_info(args.redis_port, "used_memory_peak")
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"rooms": len(rooms), "welcomed": len(ready), "whole": len(got),
            "posted_s": round(posted_s, 2), "every_room_whole_s": whole_s and round(whole_s, 2),
            "redis_used_memory_before": used_before, "redis_peak_before": peak_before,
            "redis_peak_after": peak_after}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build/native")
    ap.add_argument("--rooms", type=int, default=10000)
    ap.add_argument("--relay-core", default="0")
    ap.add_argument("--client-core", default="1")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    relay = str(Path(args.build_dir) / "relay" / "relay")
    data = tempfile.mkdtemp(prefix="hubchat-resub-")
    args.redis_port, args.port_a, args.port_b = free_port(), free_port(), free_port()
    redis = ChildProcess(["taskset", "-c", args.relay_core, shutil.which("redis-server"),
                          "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", data])
    time.sleep(0.3)
    common = ["--redis", f"redis://127.0.0.1:{args.redis_port}", "--rate-limit", "0",
              "--max-connections", str(args.rooms + 100),
              "--max-connections-per-ip", str(args.rooms + 100), "--log-level", "warn"]
    a = ChildProcess(["taskset", "-c", args.relay_core, relay, "--port", str(args.port_a), *common])
    b = ChildProcess(["taskset", "-c", args.relay_core, relay, "--port", str(args.port_b), *common])
    try:
        if not (wait_for_port(args.port_a, a.proc, 20) and wait_for_port(args.port_b, b.proc, 20)):
            sys.exit("relays did not start")
        os.sched_setaffinity(0, {int(args.client_core)})
        cores = {"relay A": cores_of(a.proc.pid), "relay B": cores_of(b.proc.pid),
                 "redis-server": cores_of(redis.proc.pid), "clients": args.client_core}
        result = asyncio.run(run(args))
        result["cores"] = cores
        print(json.dumps(result, indent=2))
    finally:
        for p in (a, b, redis):
            p.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
