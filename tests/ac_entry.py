#!/usr/bin/env python3
"""Read and forge entries of a Bazel HTTP cache's action cache (tests only).

    ac_entry.py find AC_DIR PATH_SUFFIX    "KEY SHA256 SIZE" of the entry whose
                                           output file path ends with PATH_SUFFIX
    ac_entry.py point ENTRY SHA256 SIZE    rewrite ENTRY so that its output file
                                           has another digest (a poisoned entry)

An entry is a serialized REAPI ActionResult: output_files (field 2) are
OutputFile messages with path (1) and digest (2: hash 1, size_bytes 2). The
few protobuf wire rules needed are written out here, so the tests need no
protobuf package.
"""

import sys
from pathlib import Path


def varint(data: bytes, i: int):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def encode_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | 0x80 if n else low)
        if not n:
            return bytes(out)


def fields(data: bytes):
    """(field number, value, raw bytes) of every field; values of varint and length-delimited fields."""
    i = 0
    while i < len(data):
        start = i
        key, i = varint(data, i)
        kind = key & 7
        if kind == 0:
            value, i = varint(data, i)
        elif kind == 2:
            n, i = varint(data, i)
            value, i = data[i:i + n], i + n
        elif kind in (1, 5):
            value, i = None, i + (8 if kind == 1 else 4)
        else:
            raise ValueError(f"unsupported wire type {kind}")
        yield key >> 3, value, data[start:i]


def delimited(number: int, payload: bytes) -> bytes:
    return encode_varint(number << 3 | 2) + encode_varint(len(payload)) + payload


def output_files(entry: bytes):
    """(path, sha256, size) of every output file of an ActionResult."""
    for number, value, _ in fields(entry):
        if number == 2:
            f = {n: v for n, v, _ in fields(value)}
            digest = {n: v for n, v, _ in fields(f.get(2, b""))}
            yield f[1].decode(), digest.get(1, b"").decode(), digest.get(2, 0)


def find(ac_dir: Path, suffix: str) -> int:
    matches = [(key.name, *out) for key in sorted(ac_dir.iterdir())
               for out in output_files(key.read_bytes()) if out[0].endswith(suffix)]
    if len(matches) != 1:
        print(f"ac_entry.py: {len(matches)} entries in {ac_dir} have an output ending with {suffix}", file=sys.stderr)
        return 1
    key, _, sha, size = matches[0]
    print(key, sha, size)
    return 0


def point(entry: Path, sha: str, size: int) -> int:
    out = b""
    for number, value, raw in fields(entry.read_bytes()):
        if number == 2:
            rest = b"".join(r for n, _, r in fields(value) if n != 2)
            digest = delimited(1, sha.encode()) + encode_varint(2 << 3) + encode_varint(size)
            raw = delimited(2, rest + delimited(2, digest))
        out += raw
    entry.write_bytes(out)
    return 0


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "find":
        return find(Path(sys.argv[2]), sys.argv[3])
    if len(sys.argv) == 5 and sys.argv[1] == "point":
        return point(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
