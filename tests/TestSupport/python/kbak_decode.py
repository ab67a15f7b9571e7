#!/usr/bin/env python3
"""An independent reader of KBAK v1 backup segments (docs/backup-format.md), written from the format's
description and nothing else of the product, so tests can check what the product wrote without the
product's own reader. Reads each segment file named on the command line and prints one JSON object per
record: {"segment", "offset", "timestamp", "key", "value", "headers": [[key, value], ...]}, byte strings
as base64 (null stays null). Exits 1 naming the file and the check on any malformed segment."""
import base64
import json
import struct
import sys
import zlib


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def fail(path, what):
    sys.stderr.write(f"{path}: {what}\n")
    sys.exit(1)


def body_of(path, data):
    if len(data) < 40:
        fail(path, f"only {len(data)} bytes")
    magic, version, compression, _reserved, count, first, last = struct.unpack_from("<4sBBHqqq", data, 0)
    if magic != b"KBAK" or version != 1:
        fail(path, f"magic {magic!r} version {version}")
    if data[-4:] != b"BKAE":
        fail(path, "footer magic")
    (crc,) = struct.unpack_from("<I", data, len(data) - 8)
    if zlib.crc32(data[: len(data) - 8]) & 0xFFFFFFFF != crc:
        fail(path, "CRC-32")
    body = data[32 : len(data) - 8]
    if compression == 0:
        return count, first, last, body
    if compression == 1:
        import zstandard

        out = bytearray()
        reader = zstandard.ZstdDecompressor().stream_reader(body, read_across_frames=True)
        while chunk := reader.read(1 << 20):
            out += chunk
        return count, first, last, bytes(out)
    if compression == 2:
        import lz4.block

        (size,) = struct.unpack_from("<I", body, 0)
        return count, first, last, lz4.block.decompress(body[4:], uncompressed_size=size)
    fail(path, f"compression byte {compression}")


def sized(blob, at, width):
    (length,) = struct.unpack_from("<i", blob, at)
    at += 4
    if length == -1:
        return None, at
    return blob[at : at + length], at + length


def records(path):
    with open(path, "rb") as f:
        count, first, last, blob = body_of(path, f.read())
    at, seen, last_seen = 0, 0, None
    while at < len(blob):
        (length,) = struct.unpack_from("<I", blob, at)
        end = at + 4 + length
        timestamp, offset = struct.unpack_from("<qq", blob, at + 4)
        at += 20
        key, at = sized(blob, at, 4)
        value, at = sized(blob, at, 4)
        (header_count,) = struct.unpack_from("<H", blob, at)
        at += 2
        headers = []
        for _ in range(header_count):
            (key_length,) = struct.unpack_from("<H", blob, at)
            header_key = blob[at + 2 : at + 2 + key_length].decode("utf-8")
            header_value, at = sized(blob, at + 2 + key_length, 4)
            headers.append([header_key, b64(header_value)])
        if at != end:
            fail(path, f"record at offset {offset} is {at - end + length} bytes, its length says {length}")
        if seen == 0 and offset != first:
            fail(path, f"first record's offset {offset}, header says {first}")
        seen += 1
        last_seen = offset
        yield {"segment": path, "offset": offset, "timestamp": timestamp, "key": b64(key), "value": b64(value), "headers": headers}
    if seen != count:
        fail(path, f"{seen} records, header says {count}")
    if seen and last_seen != last:
        fail(path, f"last record's offset {last_seen}, header says {last}")


def main():
    for path in sys.argv[1:]:
        for record in records(path):
            print(json.dumps(record))


if __name__ == "__main__":
    main()
