"""The editors' report on the command line with the backend's "most shown in the last 30 days":
counts from a real backend over HTTP, and a clear line (not a crash) when it cannot be reached."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from citybot.backend.app import create_app
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.services import knowledge_stats
from citybot.settings import ROOT
from tests.backend.conftest import API_KEY, make_settings
from tests.gateway.servers import free_port, serve

from .conftest import write_doc

BODY = "Ringkasan singkat layanan.\n## Persyaratan\n- KTP\n"


def _knowledge(root: Path) -> Path:
    source = "sources: [https://oss.go.id]\n"
    write_doc(root, "perizinan-baru", "perizinan", "Baru", BODY, front=source + "reviewed: 2026-11-20\n")
    write_doc(root, "perizinan-belum", "perizinan", "Belum", BODY, front=source + "reviewed: belum\n")
    return root


def _review(root: Path, backend_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACKEND_URL": backend_url, "BACKEND_API_KEY": API_KEY}
    return subprocess.run(
        [sys.executable, "-m", "citybot.retrieval", "review", str(root), "--today", "2026-11-30", *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_report_lists_most_shown_from_the_backend(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'backend.db'}"
    upgrade(url)
    db = Database.connect(url)
    with db.writing() as session:
        for doc_id in ("perizinan-belum", "perizinan-belum", "perizinan-baru", "dokumen-dihapus"):
            knowledge_stats.record(session, doc_id)
    port = free_port()
    try:
        with serve(create_app(make_settings(url), db=db), port):
            out = _review(_knowledge(tmp_path / "k"), f"http://127.0.0.1:{port}")
    finally:
        db.dispose()
    assert out.returncode == 0, out.stderr
    section = out.stdout.split("Paling sering ditampilkan ke warga, 30 hari terakhir:\n")[1].split("\n\n")[0]
    assert section.splitlines() == [
        "        2 kali  perizinan-belum — perlu diperiksa",
        "        1 kali  dokumen-dihapus",
        "        1 kali  perizinan-baru",
    ]


def test_report_says_when_the_backend_cannot_be_reached(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    out = _review(_knowledge(tmp_path / "k"), f"http://127.0.0.1:{port}")
    assert out.returncode == 0, out.stderr
    assert f"(tidak tersedia: sistem kota di http://127.0.0.1:{port} tidak bisa dihubungi)" in out.stdout
    assert "2 dokumen: 1 belum diperiksa" in out.stdout
    skipped = _review(tmp_path / "k", f"http://127.0.0.1:{port}", "--no-shown")
    assert "Paling sering" not in skipped.stdout and skipped.returncode == 0
