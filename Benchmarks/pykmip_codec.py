#!/usr/bin/env python3
"""Times PyKMIP's own TTLV codec on the same messages as `kmip bench codec`.

Usage: pykmip_codec.py [--seconds S] HEXFILE...
Prints one line per message and operation: `NAME decode: N msgs/s` / `NAME encode: N msgs/s`
(median of three rounds of S seconds). Decode is bytes -> PyKMIP message objects; encode is the
decoded objects -> bytes, the same work `kmip bench codec` measures. Needs PyKMIP 0.11.0
(requirements-pykmip.txt).
"""
import argparse
import os
import statistics
import time

from kmip.core import enums, utils
from kmip.core.messages import messages

VERSIONS = {
    (1, 0): enums.KMIPVersion.KMIP_1_0, (1, 1): enums.KMIPVersion.KMIP_1_1,
    (1, 2): enums.KMIPVersion.KMIP_1_2, (1, 3): enums.KMIPVersion.KMIP_1_3,
    (1, 4): enums.KMIPVersion.KMIP_1_4, (2, 0): enums.KMIPVersion.KMIP_2_0,
}


def rate(fn, seconds):
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    for path in args.files:
        data = bytes.fromhex("".join(open(path).read().split()))
        name = os.path.basename(path).removesuffix(".hex")
        message_type = messages.ResponseMessage if data[2] == 0x7B else messages.RequestMessage
        # Protocol Version minor sits at a fixed place in a message header: read it from the tree.
        probe = message_type()
        probe.read(utils.BytearrayStream(data), kmip_version=enums.KMIPVersion.KMIP_1_2)
        header = probe.response_header if message_type is messages.ResponseMessage else probe.request_header
        pv = header.protocol_version
        version = VERSIONS[(pv.major, pv.minor)]

        def decode():
            m = message_type()
            m.read(utils.BytearrayStream(data), kmip_version=version)
            return m

        decoded = decode()

        def encode():
            stream = utils.BytearrayStream()
            decoded.write(stream, kmip_version=version)
            return stream.buffer

        rate(decode, args.seconds / 10)  # warm-up
        decode_rates = [rate(decode, args.seconds) for _ in range(3)]
        encode_rates = [rate(encode, args.seconds) for _ in range(3)]
        print(f"{name} decode: {int(statistics.median(decode_rates))} msgs/s")
        print(f"{name} encode: {int(statistics.median(encode_rates))} msgs/s")


if __name__ == "__main__":
    main()
