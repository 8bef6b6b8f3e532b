#!/usr/bin/env python3
"""A classic-protocol sender, written as for the classic broker.

Like classic senders it subscribes to /null, which it never reads; then it
sends (channel, data) frame pairs; an empty channel frame ends the session,
and the server closes the connection once it has routed every pair before it.
"""
import argparse
import asyncio
import struct


def frame(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=25000)
    p.add_argument("--channel", default="/topic/foo")
    p.add_argument("--count", type=int, default=3, help="number of messages to send")
    p.add_argument("--message", default="hello from Python", help="text of each message, numbered")
    args = p.parse_args()

    reader, writer = await asyncio.open_connection(args.host, args.port)
    writer.write(frame(b"/null"))
    for i in range(1, args.count + 1):
        writer.write(frame(args.channel.encode()) + frame(f"{args.message} {i}".encode()))
    writer.write(frame(b""))  # end of session
    await writer.drain()
    await reader.read()  # until the server closes: every pair has been routed
    writer.close()
    await writer.wait_closed()
    print(f"sent {args.count} messages to {args.channel}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
