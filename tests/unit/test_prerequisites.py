"""A missing prerequisite skips a test on a developer's machine and fails it under CI=true."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.services import missing_prerequisite


@pytest.mark.parametrize("ci", ["", "false", "1"])
def test_outside_ci_a_missing_prerequisite_skips(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(Skipped, match="no retrieval index"):
        missing_prerequisite("no retrieval index")


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_under_ci_a_missing_prerequisite_fails(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(Failed, match=r"pg_ctlcluster .*CI=true"):
        missing_prerequisite("restarting PostgreSQL needs pg_ctlcluster")


def test_the_index_fixture_and_the_cluster_check_use_the_guard() -> None:
    # Read, not run: tests/reliability is too heavy here, and the index may be built.
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in (root / "unit/test_layanan_info_action.py", root / "reliability/test_cluster.py"):
        text = path.read_text(encoding="utf-8")
        assert "missing_prerequisite(" in text and "pytest.skip(" not in text and "skipif" not in text, path
