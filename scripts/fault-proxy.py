#!/usr/bin/env python3
"""A fault-injecting TCP proxy for the client's retry tests: it sits between a KMIP client and a
real KMIP server, passes TLS through untouched (it only reads the 5-byte TLS record headers), and
misbehaves on chosen connections.

    fault-proxy.py --listen PORT --upstream HOST:PORT --modes MODE[,MODE...] --count-file FILE

The N-th accepted connection gets the N-th mode (the last one repeats):
    pass          forward everything
    drop-request  close both sides instead of forwarding the client's first application data
                  (the request never reaches the server)
    cut-response  forward the request, close both sides instead of forwarding the server's first
                  application data (the server executed the request; the client never hears)
    stall         forward the request, never forward the response (the client's timeout ends it)
FILE always holds the number of client application-data records that reached the server (one
per request message for messages that fit a TLS record). Prints "ready PORT" once listening.
"""
import argparse, asyncio, sys

APPLICATION_DATA = 23


async def read_record(reader):
    header = await reader.readexactly(5)
    length = int.from_bytes(header[3:5], "big")
    body = await reader.readexactly(length)
    return header[0], header + body


class Proxy:
    def __init__(self, upstream, modes, count_file):
        self.upstream = upstream
        self.modes = modes
        self.count_file = count_file
        self.connections = 0
        self.forwarded = 0
        self.write_count()

    def write_count(self):
        with open(self.count_file, "w") as handle:
            handle.write(f"{self.forwarded}\n")

    async def handle(self, client_reader, client_writer):
        mode = self.modes[min(self.connections, len(self.modes) - 1)]
        self.connections += 1
        host, port = self.upstream
        server_reader, server_writer = await asyncio.open_connection(host, port)
        request_seen = asyncio.Event()

        def close_all():
            for writer in (client_writer, server_writer):
                try:
                    writer.close()
                except Exception:
                    pass

        async def client_to_server():
            try:
                while True:
                    kind, record = await read_record(client_reader)
                    if kind == APPLICATION_DATA:
                        if mode == "drop-request":
                            close_all()
                            return
                        self.forwarded += 1
                        self.write_count()
                        request_seen.set()
                    server_writer.write(record)
                    await server_writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                close_all()

        async def server_to_client():
            try:
                while True:
                    kind, record = await read_record(server_reader)
                    if kind == APPLICATION_DATA and request_seen.is_set():
                        if mode == "cut-response":
                            close_all()
                            return
                        if mode == "stall":
                            continue
                    client_writer.write(record)
                    await client_writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                close_all()

        await asyncio.gather(client_to_server(), server_to_client())


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=int, default=0)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--modes", default="pass")
    parser.add_argument("--count-file", required=True)
    arguments = parser.parse_args()
    host, port = arguments.upstream.rsplit(":", 1)
    modes = arguments.modes.split(",")
    for mode in modes:
        if mode not in ("pass", "drop-request", "cut-response", "stall"):
            parser.error(f"unknown mode {mode}")
    proxy = Proxy((host, int(port)), modes, arguments.count_file)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", arguments.listen)
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
