"""A throwaway redis-server on 127.0.0.1, for the tests that need a real one of their own."""

import subprocess
import time
from pathlib import Path

import redis


def start(binary: str, port: int, directory: Path) -> subprocess.Popen:
    """redis-server on 127.0.0.1:``port`` with nothing kept on disk, returned once it answers."""
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError("redis-server did not start") from None
            time.sleep(0.05)
