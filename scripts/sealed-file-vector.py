#!/usr/bin/env python3
"""Writes the sealed-file test vector (Vectors/sealed-file/vector-1.txt) with an implementation of
docs/SealedFileFormat.md independent of the Swift one (Python's `cryptography`), so that the
Swift tests check the format against the document, not against themselves.

    scripts/sealed-file-vector.py > Vectors/sealed-file/vector-1.txt

Needs the `cryptography` package (PyKMIP's venv has it: scripts/pykmip.sh).
"""
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY = bytes(range(32))
SALT = bytes([0x11] * 32)
NONCE_PREFIX = bytes([0x22] * 7)
CHUNK_SIZE = 16
SERVER = "kmip.example.com:5696"
KEY_ID = "5c1f0e2a-camera-key"
METADATA = {"captured": "2026-12-04T14:00:00Z", "source": "ffmpeg testsrc"}
PLAINTEXT = b"swift-kmip sealed file test vector"


def string(text):
    data = text.encode("utf-8")
    return struct.pack(">H", len(data)) + data


def main():
    derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=SALT, info=b"swift-kmip sealed file v1").derive(KEY)
    subkey, commitment = derived[:32], derived[32:]
    metadata = json.dumps(METADATA, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fields = bytes([1, 1]) + struct.pack(">I", CHUNK_SIZE) + SALT + NONCE_PREFIX + commitment
    fields += string(SERVER) + string(KEY_ID) + string(metadata)
    header = b"KMIPSEAL" + struct.pack(">I", len(fields) + 32) + fields
    header += hashlib.sha256(header).digest()

    chunks = [PLAINTEXT[i:i + CHUNK_SIZE] for i in range(0, len(PLAINTEXT), CHUNK_SIZE)] or [b""]
    body = b""
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        nonce = NONCE_PREFIX + struct.pack(">I", index) + bytes([1 if last else 0])
        body += AESGCM(subkey).encrypt(nonce, chunk, header)

    out = sys.stdout
    out.write("# Sealed-file format test vector 1 (docs/SealedFileFormat.md), made by scripts/sealed-file-vector.py\n")
    out.write("# with Python's cryptography package, independently of the Swift implementation.\n")
    for name, value in [
        ("key", KEY.hex()), ("salt", SALT.hex()), ("nonce-prefix", NONCE_PREFIX.hex()), ("chunk-size", str(CHUNK_SIZE)),
        ("server", SERVER), ("key-identifier", KEY_ID), ("metadata", metadata), ("plaintext", PLAINTEXT.hex()),
        ("subkey", subkey.hex()), ("commitment", commitment.hex()), ("header", header.hex()), ("sealed", (header + body).hex()),
    ]:
        out.write(f"{name}\t{value}\n")


if __name__ == "__main__":
    main()
