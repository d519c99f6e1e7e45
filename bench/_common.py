"""Small helpers shared by the benchmarks and cluster mode.

`python -m bench._common create-databases` creates the PostgreSQL databases named in
DATABASE_URL, GATEWAY_DATABASE_URL and TRACKER_STORE_URL if they do not exist yet (`make
run-cluster` runs it before migrating).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from tests.stack import Stack

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "asisten-kota.tar.gz"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def rss_bytes(pid: int) -> int:
    """Resident memory of one process and all its descendants (psutil if installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        return _rss_proc(pid)
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return kids


def _rss_proc(pid: int) -> int:
    total, stack = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(current))
    return total


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count() or 0),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "python": sys.version.split()[0],
    }


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]], right: Iterable[int] = ()) -> str:
    """A markdown table; `right` holds the indexes of right-aligned (numeric) columns."""
    right_cols = set(right)
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i in right_cols else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


@contextmanager
def stack_or_gateway(
    given: str | None, prefix: str, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, Stack | None]]:
    """(gateway URL, None) for a running gateway given by URL; otherwise a fresh stack (backend,
    actions, Rasa, gateway) in a temp dir, stopped on exit: (its gateway URL, the Stack)."""
    if given:
        yield given.rstrip("/"), None
        return
    from tests.stack import ALL_PROCESSES, running_stack

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, running_stack(Path(tmp), ALL_PROCESSES, extra_env) as stack:
        yield stack.gateway_url, stack


def stale_model_warning(model: Path = MODEL) -> str | None:
    """The stack runs the checkout's actions with the trained model: both must be of one version."""
    from citybot.cli import TRAINING_INPUTS, content_hash

    stamp = model.with_suffix("").with_suffix(".hash")
    if not stamp.exists():
        return f"warning: {stamp.name} is missing: cannot tell whether the model matches bot/ and nlu_data/"
    current = content_hash(ROOT / p for p in TRAINING_INPUTS)
    if stamp.read_text().strip() != current:
        return (
            f"warning: {model.name} was trained on other data than the checkout's "
            f"({', '.join(TRAINING_INPUTS)}): actions may send responses the model does not know. "
            "Run `make train` first (the make bench targets do)."
        )
    return None


def postgres_url() -> str | None:
    """The test PostgreSQL server's URL, or None (printed why) when it is not reachable."""
    try:
        from tests.services import require_postgres

        return require_postgres()
    except BaseException as exc:  # pytest.skip raises outside pytest too
        print(f"postgresql: skipped ({exc})")
        return None


def postgres_database_names(urls: Iterable[str]) -> list[tuple[str, str]]:
    """(server url without database, database name) for every PostgreSQL URL given."""
    found: list[tuple[str, str]] = []
    for url in urls:
        parsed = urlparse(url)
        if not parsed.scheme.startswith("postgres") or not parsed.path.strip("/"):
            continue
        found.append((url, parsed.path.strip("/")))
    return found


def create_databases(urls: Iterable[str]) -> list[str]:
    """Create each named PostgreSQL database that does not exist yet; returns those created."""
    import psycopg
    from psycopg import sql

    created: list[str] = []
    for url, name in postgres_database_names(urls):
        parsed = urlparse(url)
        conninfo = {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": parsed.username or "postgres",
            "dbname": "postgres",
        }
        if parsed.password:
            conninfo["password"] = parsed.password
        with psycopg.connect(**conninfo, autocommit=True) as conn:  # type: ignore[arg-type]
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                created.append(name)
    return created


def main(argv: list[str]) -> int:
    if argv[:1] == ["create-databases"]:
        keys = ("DATABASE_URL", "GATEWAY_DATABASE_URL", "TRACKER_STORE_URL")
        created = create_databases(os.environ.get(k, "") for k in keys)
        print(f"created: {', '.join(created)}" if created else "databases already exist")
        return 0
    print("usage: python -m bench._common create-databases", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
