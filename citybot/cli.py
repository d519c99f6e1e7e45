"""Developer and operator commands: `python -m citybot.cli COMMAND`.

Used by the Makefile and the Procfile so every process reads the same settings.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from citybot.city_profile import require_profile
from citybot.file_hash import files_hash
from citybot.rasa_endpoints import write_endpoints
from citybot.settings import ROOT, USER_CACHE, Settings, get_settings

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
MODEL_DIR = ROOT / "models"
MODEL_NAME = "asisten-kota"
TRAINING_INPUTS = ("config.yml", "bot/domain", "bot/data", "nlu_data", "citybot/nlu")
# Trained models are kept outside the checkout too, so a fresh clone with unchanged data
# (e.g. CI) reuses the model instead of spending minutes on `rasa train`.
MODEL_CACHE = USER_CACHE / "models"


def content_hash(paths: Iterable[Path], root: Path = ROOT) -> str:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            # Bytecode caches appear when Rasa imports citybot/nlu; they are not inputs.
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    return files_hash(sorted(files), root)


def rasa_env(settings: Settings, serving: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if serving:
        # One message is a tiny graph: TensorFlow's per-core thread pools only add contention
        # with the other processes on a small machine. Training keeps the default pools.
        env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
        env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def model_path() -> Path:
    return MODEL_DIR / f"{MODEL_NAME}.tar.gz"


def train(force: bool = False) -> int:
    data_hash = content_hash(ROOT / p for p in TRAINING_INPUTS)
    stamp = MODEL_DIR / f"{MODEL_NAME}.hash"
    model = model_path()
    if not force and model.exists() and stamp.exists() and stamp.read_text().strip() == data_hash:
        print(f"Rasa model up to date ({data_hash[:12]}), not retraining.")
        return 0
    cached = MODEL_CACHE / f"{data_hash}.tar.gz"
    MODEL_DIR.mkdir(exist_ok=True)
    if not force and cached.exists():
        shutil.copyfile(cached, model)
        stamp.write_text(data_hash)
        print(f"Rasa model restored from cache ({data_hash[:12]}).")
        return 0
    print(f"Training Rasa model ({data_hash[:12]})...", flush=True)
    # Train into a private folder and rename: a concurrent `train` or a running server never
    # sees a half-written model, and the stamp matches the data the model was trained on.
    work = Path(tempfile.mkdtemp(prefix=".train-", dir=MODEL_DIR))
    command = [
        str(RASA_BIN),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        "bot/data",
        "nlu_data",
        "--out",
        str(work),
        "--fixed-model-name",
        MODEL_NAME,
    ]
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=ROOT, env=rasa_env(get_settings(), serving=False), check=False)
        if result.returncode != 0:
            return result.returncode
        os.replace(work / f"{MODEL_NAME}.tar.gz", model)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stamp.write_text(data_hash)
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, cached)
    print(f"Trained in {time.monotonic() - started:.0f} s.")
    return 0


def serve_rasa(port: int | None = None) -> None:
    settings = get_settings()
    require_profile("rasa")
    endpoints = write_endpoints(settings, settings.var_dir / f"endpoints-{port or settings.rasa_port}.yml")
    # `citybot.rasa_boot` is `rasa run` plus a cached action-response validator (see its docstring).
    command = [
        str(RASA_PYTHON),
        "-m",
        "citybot.rasa_boot",
        "run",
        "--model",
        str(model_path()),
        "--endpoints",
        str(endpoints),
        "--credentials",
        "bot/credentials.yml",
        "--interface",
        settings.rasa_host,
        "--port",
        str(port or settings.rasa_port),
    ]
    os.chdir(ROOT)
    os.execve(command[0], command, rasa_env(settings))


def serve_actions() -> None:
    settings = get_settings()
    require_profile("action server")
    env = dict(os.environ)
    env["SANIC_HOST"] = settings.action_server_host
    env.setdefault("ACTION_SERVER_SANIC_WORKERS", "1")
    command = [
        sys.executable,
        "-m",
        "citybot.action_server",  # rasa-sdk's server plus /metrics
        "--actions",
        "actions",
        "--port",
        str(settings.action_server_port),
    ]
    os.chdir(ROOT)
    os.execve(command[0], command, env)


def init_env(path: Path = ROOT / ".env", example: Path = ROOT / ".env.example") -> None:
    """Writes `.env` with fresh random secrets on first run; never overwrites an existing one."""
    if path.exists():
        return
    lines = []
    for line in example.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if value.strip() == "change-me":
            line = f"{key}={secrets.token_urlsafe(32)}"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    print(f"Wrote {path.name} with new random secrets.")


def check_profile(folder: Path | None) -> int:
    """Validate one city profile folder (default: the active one): OK, or every problem with its
    file and field."""
    from citybot.city_profile import ProfileError, load_profile

    if folder is None:
        settings = get_settings()
        folder = settings.cities_dir / settings.city_profile
    try:
        profile = load_profile(folder)
    except ProfileError as exc:
        print(exc, file=sys.stderr)
        return 1
    from citybot.retrieval.overlay import load_city_knowledge

    knowledge = load_city_knowledge(get_settings().knowledge_dir, profile.knowledge_dir, profile.key)
    city_errors = [i for i in knowledge.errors if profile.knowledge_dir.resolve() in i.path.resolve().parents]
    if city_errors:
        print(f"city profile {folder} is broken:", file=sys.stderr)
        for issue in city_errors:
            print(f"  - {issue}", file=sys.stderr)
        return 1
    offered = [name for name in ("homecare", "catalogue", "permit_status", "transport_info") if profile.offers(name)]  # type: ignore[arg-type]
    print(
        f"OK {folder}: {profile.name} ({profile.code}, {profile.timezone}), "
        f"{len(profile.services.complaints)} complaint services, {len(profile.areas.kelurahan)} kelurahan/desa, "
        f"offers: {', '.join(offered) or 'complaints only'}"
    )
    return 0


def readiness_checks(settings: Settings) -> dict[str, Callable[[], str | None]]:
    """One check per process of `make run`, each returning why it is not ready (None = ready)."""
    from citybot.readiness import action_server_reason, http_reason

    backend_ready = f"{settings.backend_base_url}/ready"
    actions = f"http://127.0.0.1:{settings.action_server_port}"
    checks: dict[str, Callable[[], str | None]] = {
        "backend": lambda: http_reason(backend_ready),
        "action server": lambda: action_server_reason(actions, settings.index_dir, backend_ready),
    }
    for i, url in enumerate(settings.rasa_base_urls):
        # Rasa answers HTTP only once its model is loaded, so its root page is its readiness.
        checks[f"rasa {i + 1}"] = lambda url=url: http_reason(f"{url}/")  # type: ignore[misc]
    checks["gateway"] = lambda: http_reason(f"http://127.0.0.1:{settings.gateway_port}/ready")
    return checks


def wait_ready(timeout: float, report_every: float = 30.0, only: list[str] | None = None) -> int:
    """Waits until every process (or the `only` ones) is ready; says which are not, and why."""
    settings = get_settings()
    checks = readiness_checks(settings)
    if only:
        unknown = set(only) - set(checks)
        if unknown:
            print(f"Unknown process {sorted(unknown)}; known: {', '.join(checks)}", file=sys.stderr)
            return 2
        checks = {name: checks[name] for name in only}
    pending: dict[str, str | None] = {name: "not checked yet" for name in checks}
    deadline = time.monotonic() + timeout
    next_report = time.monotonic() + report_every
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            reason = checks[name]()
            if reason is None:
                del pending[name]
            else:
                pending[name] = reason
        if pending and time.monotonic() >= next_report:
            print("Still waiting: " + "; ".join(f"{n}: {r}" for n, r in pending.items()), flush=True)
            next_report = time.monotonic() + report_every
        if pending:
            time.sleep(1.0)
    if pending:
        print(f"Not ready after {timeout:.0f} s:", file=sys.stderr)
        for name, reason in pending.items():
            print(f"  {name}: {reason}", file=sys.stderr)
        return 1
    if only:
        print(f"Ready: {', '.join(only)}", flush=True)
        return 0
    print(f"\nAsisten Kota siap. Buka web chat: http://127.0.0.1:{settings.gateway_port}/\n", flush=True)
    return 0


def backup_command(out_dir: Path, only: str | None) -> int:
    from citybot.backup import BackupError, backup, database_urls

    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name, url in database_urls(get_settings()).items():
        if only and name != only:
            continue
        suffix = "sqlite" if url.startswith("sqlite") else "pgdump"
        out = out_dir / f"{name}-{stamp}.{suffix}"
        try:
            seconds = backup(url, out)
        except BackupError as exc:
            print(f"{name}: backup failed: {exc}", file=sys.stderr)
            return 1
        print(f"{name}: {out} ({out.stat().st_size} bytes, {seconds:.1f} s)")
    return 0


def restore_command(source: Path, into: str, confirmed: bool) -> int:
    from citybot.backup import BackupError, database_urls, restore

    url = database_urls(get_settings())[into]
    if not confirmed:
        print(
            f"This replaces every row of the {into} database with {source}. Stop the processes "
            "first, then run again with --yes.",
            file=sys.stderr,
        )
        return 2
    try:
        seconds = restore(url, source)
    except BackupError as exc:
        print(f"{into}: restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"{into}: restored from {source} in {seconds:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="citybot")
    sub = parser.add_subparsers(dest="command", required=True)
    train_cmd = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train_cmd.add_argument("--force", action="store_true")
    sub.add_parser("data-hash", help="print the content hash of the Rasa training data")
    rasa_cmd = sub.add_parser("rasa", help="run the Rasa server (REST channel, 127.0.0.1)")
    rasa_cmd.add_argument("--port", type=int)
    sub.add_parser("actions", help="run the action server")
    sub.add_parser("init-env", help="write .env with random secrets if missing")
    wait_cmd = sub.add_parser("wait-ready", help="wait for every process, then print the URL")
    wait_cmd.add_argument("--timeout", type=float, default=300.0)
    # honcho stops every process when one exits, so under the Procfile this one stays.
    wait_cmd.add_argument("--stay", action="store_true")
    wait_cmd.add_argument("--only", action="append", help="wait for this process only (repeatable)")
    wait_cmd.add_argument("--report-every", type=float, default=30.0, help="seconds between progress lines")
    profile_cmd = sub.add_parser("check-profile", help="validate a city profile folder (cities/<name>)")
    profile_cmd.add_argument("folder", type=Path, nargs="?", help="default: the active profile (CITY_PROFILE)")
    backup_cmd = sub.add_parser("backup", help="back up the backend and gateway databases")
    backup_cmd.add_argument("--out", type=Path, default=ROOT / "var" / "backups", help="folder for the files")
    backup_cmd.add_argument("--only", choices=["backend", "gateway"])
    restore_cmd = sub.add_parser("restore", help="restore one database from a backup file")
    restore_cmd.add_argument("file", type=Path)
    restore_cmd.add_argument("--into", choices=["backend", "gateway"], default="backend")
    restore_cmd.add_argument("--yes", action="store_true", help="confirm: the database's rows are replaced")
    args = parser.parse_args(argv)

    if args.command == "train":
        return train(force=args.force)
    if args.command == "data-hash":
        print(content_hash(ROOT / p for p in TRAINING_INPUTS))
        return 0
    if args.command == "rasa":
        serve_rasa(args.port)
    if args.command == "actions":
        serve_actions()
    if args.command == "init-env":
        init_env()
        return 0
    if args.command == "check-profile":
        return check_profile(args.folder)
    if args.command == "backup":
        return backup_command(args.out, args.only)
    if args.command == "restore":
        return restore_command(args.file, args.into, args.yes)
    if args.command == "wait-ready":
        status = wait_ready(args.timeout, args.report_every, args.only)
        while args.stay and status == 0:
            time.sleep(3600)
        return status
    return 2


if __name__ == "__main__":
    sys.exit(main())
