#!/usr/bin/env python3
"""PyKMIP's own client doing Get round trips on one kept-open connection, for comparison with
`kmip bench client` in the same run (Benchmarks/compare-client.sh).

    pykmip_client.py --port P --certs DIR --key-id ID --count N

Prints `gets: N`, `seconds: S`, `cpu-seconds: C` (this process's user+system time during the loop).
"""
import argparse, logging, time
from kmip.pie.client import ProxyKmipClient
from kmip.core import enums

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--certs", required=True)
parser.add_argument("--key-id", required=True)
parser.add_argument("--count", type=int, default=500)
arguments = parser.parse_args()
logging.disable(logging.CRITICAL)

client = ProxyKmipClient(
    hostname="127.0.0.1", port=arguments.port,
    cert=f"{arguments.certs}/client.pem", key=f"{arguments.certs}/client.key", ca=f"{arguments.certs}/ca.pem",
    config_file="/dev/null", kmip_version=enums.KMIPVersion.KMIP_1_2)
client.open()
for _ in range(20):
    client.get(arguments.key_id)
cpu_start, wall_start = time.process_time(), time.perf_counter()
for _ in range(arguments.count):
    client.get(arguments.key_id)
wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
client.close()
print(f"gets: {arguments.count}")
print(f"seconds: {wall:.4f}")
print(f"cpu-seconds: {cpu:.4f}")
