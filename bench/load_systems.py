"""The systems the load benchmark measures: our stack (single or cluster), Rasa's starter
assistant, and the cluster's cross-server checks (bench/load.py)."""

import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.load_drive import JOURNEYS
from citybot.cli import rasa_env
from citybot.settings import get_settings
from tests.backend_process import stop_process
from tests.reliability.harness import custom_stack, pid_of
from tests.services import drop_postgres
from tests.stack import Stack, free_port

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
STARTER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asisten-kota" / "starter-bot"


def stack_pids(stack: Stack) -> dict[str, int]:
    return {name: pid_of(stack, name) for name in stack.processes}


@contextmanager
def our_stack(var_dir: Path, cluster: bool) -> Iterator[Stack]:
    # Every simulated citizen is a new web client on one loopback address: the per-address
    # abuse limits would otherwise refuse them, which is not what this bench measures.
    env = {
        "GATEWAY_RATE_LIMIT_PER_MINUTE": "10000",
        "GATEWAY_IP_MESSAGES_PER_MINUTE": "100000",
        "GATEWAY_IP_SESSIONS_PER_HOUR": "100000",
        "GATEWAY_IP_COMPLAINTS_PER_HOUR": "100000",
        "GATEWAY_IP_LOOKUPS_PER_HOUR": "100000",
    }
    databases: list[str] = []
    if cluster:
        from tests.services import require_postgres, require_redis

        for key in ("DATABASE_URL", "GATEWAY_DATABASE_URL", "TRACKER_STORE_URL"):
            env[key] = require_postgres()
            databases.append(env[key])
        env.update({"RASA_LOCK_STORE": "redis", "REDIS_URL": require_redis()})
    try:
        with custom_stack(
            var_dir, ["backend", "actions", "rasa", "gateway"], env, rasa_servers=2 if cluster else 1
        ) as stack:
            yield stack
    finally:
        for url in databases:
            drop_postgres(url)


def starter_model() -> Path:
    """`rasa init` trained once per Rasa version and cached; returns the project folder."""
    project = STARTER_CACHE / "project"
    if list((project / "models").glob("*.tar.gz")):
        return project
    if project.exists():
        shutil.rmtree(project)
    project.parent.mkdir(parents=True, exist_ok=True)
    print("Training Rasa's starter assistant once (rasa init --no-prompt)...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        init_dir = Path(tmp) / "starter"
        init_dir.mkdir()
        subprocess.run(
            [str(RASA), "init", "--no-prompt", "--init-dir", str(init_dir)],
            cwd=tmp,
            env=rasa_env(get_settings()),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        shutil.copytree(init_dir, project)
    return project


@contextmanager
def starter_bot(log_dir: Path) -> Iterator[tuple[str, int]]:
    project = starter_model()
    model = sorted((project / "models").glob("*.tar.gz"))[-1]
    port = free_port()
    env = rasa_env(get_settings())  # same thread settings as ours: a like-for-like floor
    log = (log_dir / "starter-rasa.log").open("ab")
    tracker_db = log_dir / "starter-tracker.db"
    endpoints = log_dir / "starter-endpoints.yml"
    # Like ours, the starter keeps conversations in a SQLite tracker store (a restart loses none).
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker_db}\n")
    process = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--credentials",
            str(project / "credentials.yml"),
        ],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"starter bot exited, see {log_dir / 'starter-rasa.log'}")
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        yield url, process.pid
    finally:
        stop_process(process, timeout=30)


# --- cluster checks ----------------------------------------------------------------------------


def lock_errors(stack: Stack) -> int:
    text = "\n".join(p.log_tail(10**8) for n, p in stack.processes.items() if n.startswith("rasa"))
    return len(re.findall(r"LockError|Could not acquire lock|TicketExistsError", text))


def cross_server_conversations(stack: Stack, count: int = 4) -> tuple[int, int]:
    """Complaint forms whose turns alternate between the Rasa servers: (completed, tried)."""
    servers = [p.ready_url.rstrip("/") for n, p in stack.processes.items() if n.startswith("rasa")]
    completed = 0
    for n in range(count):
        sender = f"xsrv-{uuid.uuid4().hex[:12]}"
        replies: list[dict[str, Any]] = []
        for turn, message in enumerate(JOURNEYS["complaint"]):
            response = httpx.post(
                f"{servers[turn % len(servers)]}/webhooks/rest/webhook",
                json={"sender": sender, "message": message.replace("20 cm", f"{20 + n} cm")},
                timeout=120,
            )
            replies = response.json() if response.status_code == 200 else []
        text = "\n".join(r.get("text") or "" for r in replies)
        completed += bool(re.search(r"\b[A-Z]{2,5}-\d{4}-\d{6}\b", text))
    return completed, count
