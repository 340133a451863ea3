"""A fediverse delivery sink for bench/fediverse-fanout.sh: HOSTS servers, each on its own loopback address
(127.0.1.1, 127.0.1.2, … — all of 127.0.0.0/8 is loopback on Linux, and each address is a different host to Drey's
per-host limits and circuit breaker), all on one PORT, answering every POST with 202 at once. Python's standard
library only.

  python3 bench/fediverse-sink.py HOSTS PORT READYFILE

GET /_stats on any of them answers {"count": deliveries, "hosts": distinct hosts that got one, "first": t, "last": t}
(Unix times). Stops when its parent does."""

import asyncio
import json
import os
import sys
import time

count = 0
first = None
last = None
hosts = set()


def address(i):
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


async def handle(reader, writer):
    global count, first, last
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            method = line.split(b" ", 1)[0]
            length = 0
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            if method == b"POST":
                now = time.time()
                count += 1
                first = first or now
                last = now
                hosts.add(writer.get_extra_info("sockname")[0])
                writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            else:
                body = json.dumps({"count": count, "hosts": len(hosts), "first": first, "last": last}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def main():
    n, port, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    servers = [await asyncio.start_server(handle, address(i), port, backlog=256) for i in range(n)]
    with open(ready, "w") as f:
        f.write("\n".join(address(i) for i in range(n)))
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
