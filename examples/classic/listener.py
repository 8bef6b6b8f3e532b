#!/usr/bin/env python3
"""A classic-protocol listener, written as for the classic broker.

It knows nothing of Herald: every frame is a 4-byte big-endian length plus
bytes; the first frame it sends names the channel it subscribes to; then it
reads one frame per message, holding only the data.
"""
import argparse
import asyncio
import struct


def frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    (n,) = struct.unpack(">I", await reader.readexactly(4))
    return await reader.readexactly(n)


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=25000)
    p.add_argument("--channel", default="/topic/foo")
    p.add_argument("--count", type=int, default=0,
                   help="exit after this many messages (default: until the server closes)")
    args = p.parse_args()

    reader, writer = await asyncio.open_connection(args.host, args.port)
    writer.write(frame(args.channel.encode()))
    await writer.drain()
    print(f"listening on {args.channel}", flush=True)
    got = 0
    try:
        while args.count == 0 or got < args.count:
            data = await read_frame(reader)
            got += 1
            print(f"{args.channel}: {data.decode(errors='replace')}", flush=True)
    except asyncio.IncompleteReadError:
        print("server closed the connection", flush=True)
    writer.close()
    await writer.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
