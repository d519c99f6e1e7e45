from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.reliability.harness import custom_stack
from tests.stack import Stack

ALL = ["backend", "actions", "rasa", "gateway"]


@pytest.fixture(scope="module")
def sqlite_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The default single-machine stack (SQLite everywhere), shared by one module's fault tests."""
    with custom_stack(tmp_path_factory.mktemp("faults"), ALL, {"GATEWAY_RATE_LIMIT_PER_MINUTE": "1000"}) as stack:
        yield stack


def kill(stack: Stack, name: str) -> None:
    """SIGKILL the whole process group: no shutdown handlers run, as in a crash or OOM kill."""
    popen = stack.processes[name].popen
    assert popen is not None and popen.poll() is None, f"{name} is not running"
    os.killpg(popen.pid, signal.SIGKILL)
    popen.wait(timeout=30)


def ensure_running(stack: Stack, name: str) -> None:
    popen = stack.processes[name].popen
    if popen is None or popen.poll() is not None:
        stack.start(name)
