"""Nix store paths of locked sources, computed in pure Python (no `nix` needed).

A flake input is unpacked into the store as a fixed-output path: its name is `source` and its
hash is the `narHash` of `flake.lock`. That path is fully determined by the narHash and the store
directory, so the exact source of a pinned nixpkgs / home-manager can be found without asking
Nix. The algorithm (Nix's `makeFixedOutputPath` for recursive sha256, which is a "source" path):

    fingerprint = "source:sha256:" + hex(narHash) + ":" + storeDir + ":" + name
    digest      = sha256(fingerprint)          folded (xor) to 20 bytes
    path        = storeDir + "/" + nixbase32(digest) + "-" + name

Other hash methods (flat files, recursive non-sha256) use the "output:out" form with a
`fixed:out:…` inner fingerprint; both are implemented. The NAR serialiser and `nar_hash` let
tests (and `index`) compute the narHash of a directory the way `nix hash path` does.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

DEFAULT_STORE_DIR = "/nix/store"
ENV_STORE_DIR = "NIX_STORE_DIR"
_BASE32 = "0123456789abcdfghijklmnpqrsvwxyz"  # no e, o, u, t
_HASH_SIZES = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}
_NAME = re.compile(r"[A-Za-z0-9+\-._?=][A-Za-z0-9+\-._?=]*")


def store_dir() -> str:
    """The logical store directory: $NIX_STORE_DIR, else /nix/store (no trailing slash)."""
    return (os.environ.get(ENV_STORE_DIR) or DEFAULT_STORE_DIR).rstrip("/") or "/"


# --- hashes ---------------------------------------------------------------------------------

def nix_base32(data: bytes) -> str:
    """Nix's base-32: its own alphabet, least significant bits first, read from the end."""
    length = (len(data) * 8 - 1) // 5 + 1
    out = []
    for n in range(length - 1, -1, -1):
        bit = n * 5
        i, j = divmod(bit, 8)
        c = data[i] >> j
        if i + 1 < len(data):
            c |= data[i + 1] << (8 - j)
        out.append(_BASE32[c & 0x1F])
    return "".join(out)


def from_nix_base32(text: str, size: int) -> bytes:
    """Inverse of `nix_base32` for a hash of `size` bytes."""
    if len(text) != (size * 8 - 1) // 5 + 1:
        raise ValueError(f"base-32 hash {text!r} has the wrong length for {size} bytes")
    out = bytearray(size)
    for n, char in enumerate(reversed(text)):
        digit = _BASE32.find(char)
        if digit < 0:
            raise ValueError(f"invalid character {char!r} in base-32 hash")
        bit = n * 5
        i, j = divmod(bit, 8)
        out[i] |= (digit << j) & 0xFF
        carry = digit >> (8 - j)
        if i + 1 < size:
            out[i + 1] |= carry
        elif carry:
            raise ValueError(f"base-32 hash {text!r} overflows {size} bytes")
    return bytes(out)


def parse_hash(text: str, algo: str | None = None) -> tuple[str, bytes]:
    """(algorithm, digest) of an SRI (`sha256-<base64>`), `sha256:<base16|base32|base64>` or a
    bare hash when `algo` is given. Raises ValueError for anything else."""
    text = text.strip()
    if "-" in text and text.split("-", 1)[0] in _HASH_SIZES:
        algo, body = text.split("-", 1)
        try:
            digest = base64.b64decode(body, validate=True)
        except ValueError as exc:
            raise ValueError(f"invalid SRI hash {text!r}") from exc
    else:
        if ":" in text:
            algo, text = text.split(":", 1)
        if algo not in _HASH_SIZES:
            raise ValueError(f"unknown hash algorithm in {text!r}")
        size = _HASH_SIZES[algo]
        if len(text) == size * 2:
            digest = bytes.fromhex(text)
        elif len(text) == (size * 8 - 1) // 5 + 1:
            digest = from_nix_base32(text, size)
        else:
            digest = base64.b64decode(text, validate=True)
    if len(digest) != _HASH_SIZES[algo]:
        raise ValueError(f"{algo} hash has {len(digest)} bytes, expected {_HASH_SIZES[algo]}")
    return algo, digest


def to_sri(algo: str, digest: bytes) -> str:
    return f"{algo}-{base64.b64encode(digest).decode()}"


def _compress(digest: bytes, size: int) -> bytes:
    out = bytearray(size)
    for i, byte in enumerate(digest):
        out[i % size] ^= byte
    return bytes(out)


# --- store paths ----------------------------------------------------------------------------

def make_store_path(kind: str, inner: str, name: str, store: str | None = None) -> str:
    """Nix's makeStorePath: `inner` is `<algo>:<base16 digest>`."""
    store = store if store is not None else store_dir()
    if not _NAME.fullmatch(name) or name.startswith("."):
        raise ValueError(f"invalid store path name {name!r}")
    fingerprint = f"{kind}:{inner}:{store}:{name}"
    digest = _compress(hashlib.sha256(fingerprint.encode()).digest(), 20)
    return f"{store}/{nix_base32(digest)}-{name}"


def fixed_output_path(nar_hash: str, name: str = "source", *, recursive: bool = True,
                      store: str | None = None) -> str:
    """The store path of fixed-output content with this hash (`nix-store --print-fixed-path`).

    `nar_hash` is any form `parse_hash` reads; flake.lock's `narHash` is SRI sha256.
    """
    algo, digest = parse_hash(nar_hash)
    if recursive and algo == "sha256":
        return make_store_path("source", f"sha256:{digest.hex()}", name, store)
    inner = f"fixed:out:{'r:' if recursive else ''}{algo}:{digest.hex()}:"
    return make_store_path("output:out", f"sha256:{hashlib.sha256(inner.encode()).hexdigest()}",
                           name, store)


def locked_store_path(locked: dict[str, object], *, store: str | None = None) -> str | None:
    """Store path of a flake.lock node's `locked` source (None without a usable narHash)."""
    nar_hash = locked.get("narHash")
    if not isinstance(nar_hash, str):
        return None
    try:
        return fixed_output_path(nar_hash, "source", store=store)
    except ValueError:
        return None


# --- NAR --------------------------------------------------------------------------------------

def _str(data: bytes) -> bytes:
    return len(data).to_bytes(8, "little") + data + b"\0" * (-len(data) % 8)


def nar_chunks(path: Path) -> Iterator[bytes]:
    """The NAR serialisation of `path` (file, executable, symlink or directory), in chunks."""
    yield _str(b"nix-archive-1")
    yield from _node(os.fsencode(path))


def _node(path: bytes) -> Iterator[bytes]:
    st = os.lstat(path)
    yield _str(b"(")
    if stat.S_ISLNK(st.st_mode):
        yield _str(b"type") + _str(b"symlink") + _str(b"target") + _str(os.readlink(path))
    elif stat.S_ISREG(st.st_mode):
        yield _str(b"type") + _str(b"regular")
        if st.st_mode & stat.S_IXUSR:
            yield _str(b"executable") + _str(b"")
        yield _str(b"contents") + st.st_size.to_bytes(8, "little")
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                yield chunk
        yield b"\0" * (-st.st_size % 8)
    elif stat.S_ISDIR(st.st_mode):
        yield _str(b"type") + _str(b"directory")
        for name in sorted(os.listdir(path)):
            yield _str(b"entry") + _str(b"(") + _str(b"name") + _str(name) + _str(b"node")
            yield from _node(os.path.join(path, name))
            yield _str(b")")
    else:
        raise ValueError(f"{os.fsdecode(path)}: cannot be put in a NAR (not a file, "
                         "symlink or directory)")
    yield _str(b")")


def nar_bytes(path: Path) -> bytes:
    return b"".join(nar_chunks(path))


def nar_hash(path: Path, *, on_chunk: Callable[[int], None] | None = None) -> str:
    """SRI sha256 of the NAR of `path`, as `nix hash path` prints it."""
    h = hashlib.sha256()
    for chunk in nar_chunks(path):
        h.update(chunk)
        if on_chunk:
            on_chunk(len(chunk))
    return to_sri("sha256", h.digest())
