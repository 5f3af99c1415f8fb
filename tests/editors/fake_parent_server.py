"""A stand-in language server for the editors' "Go to importing file" client code.

It speaks JSON-RPC over stdio, declares `experimental: {parentModule: true}` and answers
`experimental/parentModule` from a JSON file (argv[1]): `{"<file name>": Location[] | null}`,
keyed by the requested document's file name. Every other request gets `null`. Used by
tests/editors/test_editors.py so the client side is tested in the real VS Code whether or
not the real server answers the request yet.
"""

from __future__ import annotations

import json
import sys
from pathlib import PurePosixPath
from typing import Any, BinaryIO


def read_message(stream: BinaryIO) -> dict[str, Any] | None:
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        return None
    return json.loads(stream.read(length))


def write_message(stream: BinaryIO, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    stream.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    stream.flush()


def main() -> None:
    with open(sys.argv[1]) as fh:
        answers: dict[str, Any] = json.load(fh)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (message := read_message(stdin)) is not None:
        method = message.get("method")
        if method == "exit":
            return
        if "id" not in message or method is None:
            continue  # a notification, or a response to a request we never send
        result: Any = None
        if method == "initialize":
            result = {"capabilities": {"textDocumentSync": 1,
                                       "experimental": {"parentModule": True}},
                      "serverInfo": {"name": "nixls-assist", "version": "fake-parent"}}
        elif method == "experimental/parentModule":
            uri = message["params"]["textDocument"]["uri"]
            result = answers.get(PurePosixPath(uri).name)
        write_message(stdout, {"jsonrpc": "2.0", "id": message["id"], "result": result})


if __name__ == "__main__":
    main()
