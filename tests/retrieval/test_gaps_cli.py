"""`python -m citybot.retrieval gaps` as an editor runs it: a real process reading a real backend
over HTTP with an editor's token; --since picks the window (24h exactly, 7d), --json prints the
console's format, --stubs writes files the knowledge validator accepts."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citybot.backend.app import create_app
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.services import agents, signals
from citybot.retrieval.gaps_cli import parse_since
from citybot.settings import ROOT, Settings
from tests.gateway.servers import serve

KEY = "cli-backend-key"
QUESTIONS = {
    "ktm": ["cara bikin kartu tanda mahasiswa hilang", "ktm saya hilang gimana ngurusnya min"],
    "sholat": ["jadwal sholat jumat masjid raya jam berapa", "min sholat jumat di masjid raya mulai jam brp"],
    "old": ["harga tiket konser di stadion berapa ya"],
}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citybot.retrieval", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def editor_env(tmp_path_factory: pytest.TempPathFactory) -> object:
    tmp = tmp_path_factory.mktemp("gaps-cli")
    url = f"sqlite:///{tmp / 'backend.db'}"
    upgrade(url)
    settings = Settings.model_validate({"database_url": url, "backend_api_key": KEY})
    db = Database.connect(url)
    now = dt.datetime.now(dt.UTC)
    with db.writing() as session:
        token, _ = agents.issue_token(session, agents.upsert_agent(session, "editor.cli", "editor", "kata-sandi-cli"))
        helper, _ = agents.issue_token(session, agents.upsert_agent(session, "petugas.cli", "agent", "kata-sandi-cli"))
        for topic, texts in QUESTIONS.items():
            at = now - dt.timedelta(hours=30 if topic == "old" else 2)
            for text in texts:
                signals.record(session, jurisdiction=settings.jurisdiction_id, kind="not_understood", text=text, now=at)
    with serve(create_app(settings, db=db)) as base:
        env = {
            **os.environ,
            "BACKEND_URL": base,
            "BACKEND_API_KEY": KEY,
            "INDEX_DIR": str(tmp / "no-index"),  # closest documents then come from the signals
            "BACKEND_AGENT_TOKEN": token,
        }
        yield env, helper, tmp
    db.dispose()


def test_since_24h_json_is_the_consoles_format(editor_env: tuple[dict[str, str], str, Path]) -> None:
    env, _, _ = editor_env
    done = run_cli(env, "gaps", "--since", "24h", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["total"] == 4 and body["since_days"] == 1  # the 30-hour-old question is outside
    assert [g["size"] for g in body["groups"]] == [2, 2]
    grouped = sorted(sorted(g["examples"]) for g in body["groups"])
    assert grouped == sorted(sorted(texts) for topic, texts in QUESTIONS.items() if topic != "old")
    assert all(g["kinds"] == {"not_understood": 2} and "reviewed: belum" in g["stub_markdown"] for g in body["groups"])


def test_since_7d_text_report_and_stubs_that_validate(editor_env: tuple[dict[str, str], str, Path]) -> None:
    env, _, tmp = editor_env
    stubs = tmp / "stubs"
    done = run_cli(env, "gaps", "--since", "7d", "--stubs", str(stubs))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("5 pertanyaan belum terjawab (7 hari terakhir), 3 kelompok")
    assert '   - "harga tiket konser di stadion berapa ya"' in done.stdout
    written = sorted(stubs.rglob("*.md"))
    assert len(written) == 3 and all(f"knowledge/{p.relative_to(stubs)}" in done.stdout for p in written)
    checked = run_cli(env, "validate", str(stubs))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "3 documents" in checked.stdout and "0 error(s)" in checked.stdout


def test_agents_and_missing_tokens_are_refused(editor_env: tuple[dict[str, str], str, Path]) -> None:
    env, agent_token, _ = editor_env
    refused = run_cli({**env, "BACKEND_AGENT_TOKEN": agent_token}, "gaps", "--since", "7d")
    assert refused.returncode == 1 and "menolak" in refused.stderr
    missing = run_cli({**env, "BACKEND_AGENT_TOKEN": ""}, "gaps")
    assert missing.returncode != 0 and "--token" in missing.stderr


def test_file_input_needs_no_backend(tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text("ktm saya hilang gimana\nkartu mahasiswa hilang cara urusnya\n\n", encoding="utf-8")
    env = {**os.environ, "BACKEND_URL": "http://127.0.0.1:9", "INDEX_DIR": str(tmp_path / "none")}
    done = run_cli(env, "gaps", "--from-file", str(questions), "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["total"] == 2 and [g["size"] for g in body["groups"]] == [2]


@pytest.mark.parametrize(("text", "hours"), [("7d", 168), ("24h", 24), ("2J", 2)])
def test_periods(text: str, hours: int) -> None:
    assert parse_since(text) == dt.timedelta(hours=hours)


@pytest.mark.parametrize("text", ["", "0d", "7", "1w", "400d"])
def test_bad_periods(text: str) -> None:
    import argparse

    with pytest.raises(argparse.ArgumentTypeError):
        parse_since(text)
