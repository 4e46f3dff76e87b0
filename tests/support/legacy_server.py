#!/usr/bin/python3
"""A legacy-only chat server for the client tests: a small clone of the
gorilla/websocket chat example (one hub, every text message broadcast to every
client, the sender included), written on Debian's python3-websockets.

What makes it a *legacy* server, like gorilla's default Upgrader: it ignores
the subprotocols a client requests and answers the handshake without a
Sec-WebSocket-Protocol header (websockets.serve without `subprotocols=`).
Chromium fails such a handshake when it asked for one; lws accepts it. It
has no rooms, nicks, history or JSON: `?room=` and `?nick=` are ignored.

Like gorilla's client.go: each received text message has '\\n' replaced by a
space and surrounding whitespace trimmed (bytes.TrimSpace); an empty result
is still broadcast, as gorilla does. Messages over 512 bytes close the
connection (gorilla's maxMessageSize). Messages queued for one client are
written as one frame joined by '\\n' (gorilla's writePump). Unlike gorilla it
does not check Origin (as if CheckOrigin returned true), so a page served
from another origin (the relay, in the tests) may connect.

Protocol with the test driving it:
  stdout, one JSON object per line, flushed:
    {"port": P}                                once listening on 127.0.0.1:P
    {"open": N, "path": "/ws?...", "requested": "hubchat.v1" or "", "accepted": ""}
    {"message": N, "text": "..."}             what client N sent, as broadcast
    {"close": N}
  It exits (0) when stdin reaches EOF or on SIGTERM/SIGINT.

Usage: /usr/bin/python3 legacy_server.py [--port P]   (P = 0: a free port)
"""

import argparse
import asyncio
import json
import signal
import sys

import websockets

MAX_MESSAGE_BYTES = 512  # gorilla's chat example: maxMessageSize


def emit(record):
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Hub:
    """Registered clients, each with its own queue of bodies to write."""

    def __init__(self):
        self.queues = {}
        self.next_id = 0

    def register(self):
        self.next_id += 1
        self.queues[self.next_id] = asyncio.Queue()
        return self.next_id, self.queues[self.next_id]

    def unregister(self, client_id):
        self.queues.pop(client_id, None)

    def broadcast(self, body):
        for queue in self.queues.values():
            queue.put_nowait(body)


async def write_pump(ws, queue):
    # One frame per wake-up holding everything queued so far, as gorilla's
    # writePump does (NextWriter + "\n" + each queued message).
    while True:
        bodies = [await queue.get()]
        while not queue.empty():
            bodies.append(queue.get_nowait())
        await ws.send("\n".join(bodies))


async def serve_client(hub, ws):
    client_id, queue = hub.register()
    requested = ws.request_headers.get("Sec-WebSocket-Protocol", "")
    emit({"open": client_id, "path": ws.path, "requested": requested,
          "accepted": ws.subprotocol or ""})
    writer = asyncio.create_task(write_pump(ws, queue))
    try:
        async for message in ws:
            if isinstance(message, bytes):
                message = message.decode("utf-8", "replace")
            text = message.replace("\n", " ").strip()
            emit({"message": client_id, "text": text})
            hub.broadcast(text)
    except websockets.ConnectionClosed:
        pass
    finally:
        hub.unregister(client_id)
        writer.cancel()
        emit({"close": client_id})


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop():
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)
    # The driving test holds our stdin: its end (the test exited or crashed)
    # stops us, so no server outlives its test.
    loop.add_reader(sys.stdin.fileno(),
                    lambda: request_stop() if not sys.stdin.buffer.read1(4096) else None)

    hub = Hub()
    # No `subprotocols=`: the handshake never carries Sec-WebSocket-Protocol.
    async with websockets.serve(lambda ws: serve_client(hub, ws), "127.0.0.1", args.port,
                                max_size=MAX_MESSAGE_BYTES, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        emit({"port": port})
        await stop


if __name__ == "__main__":
    asyncio.run(main())
