"""`make audit` fails on findings not accepted in docs/security.md, and under CI=true also when
the vulnerability data cannot be reached and no offline advisory database is configured."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.security import audit
from tests.security.audit import Finding, accepted, findings_of, is_accepted

PROBE = "citybot-audit-probe"  # a made-up distribution: no cache or mirror can know it


def test_every_accepted_row_names_a_package_and_a_reason() -> None:
    table = accepted()
    assert "CVE-2024-49375" in table and table["CVE-2024-49375"] == {"rasa"}
    from tests.security.audit import POLICY

    rows = [line for line in POLICY.read_text().splitlines() if line.startswith("| CVE-")]
    assert len(rows) == sum(len(p) for p in table.values())
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 4 and len(cells[3]) > 40, row


def test_findings_match_by_id_or_alias_and_package() -> None:
    report = {
        "dependencies": [
            {
                "name": "aiohttp",
                "version": "3.9.5",
                "vulns": [
                    {"id": "GHSA-xxxx", "aliases": ["CVE-2024-52304"], "fix_versions": ["3.10.11"]},
                    {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "fix_versions": []},
                ],
            },
            {"name": "Some_Package", "version": "1.0", "vulns": [{"id": "CVE-2024-49375", "aliases": []}]},
            {"name": "skipped", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    findings, audited, skipped = findings_of("rasa", report)
    assert (audited, skipped, len(findings)) == (2, 1, 3)
    table = accepted()
    verdicts = {f.vuln_id: is_accepted(f, table) for f in findings}
    # Accepted through its CVE alias; an unknown advisory is not; an accepted id on another package is not.
    assert verdicts == {"GHSA-xxxx": True, "PYSEC-2099-1": False, "CVE-2024-49375": False}


def test_finding_ids_include_aliases() -> None:
    finding = Finding("app", "x", "1", "GHSA-1", ("CVE-1", "PYSEC-1"), ())
    assert finding.ids() == {"GHSA-1", "CVE-1", "PYSEC-1"}


def fake_venv(root: Path, name: str = PROBE, version: str = "0.0.1") -> Path:
    dist = root / "venv" / "lib" / "python3.11" / "site-packages" / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    return root / "venv"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict | None, str]:
    """What the real pip-audit reports when PyPI cannot be reached: every request goes to a
    local proxy port nobody listens on (so nothing leaves the machine), with an empty cache."""
    root = tmp_path_factory.mktemp("unreachable")
    proxy = f"http://127.0.0.1:{closed_port()}"
    with pytest.MonkeyPatch.context() as mp:
        for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
            mp.setenv(var, proxy)
        for var in ("NO_PROXY", "no_proxy"):
            mp.delenv(var, raising=False)
        mp.setenv("XDG_CACHE_HOME", str(root / "cache"))
        return audit.run_pip_audit(fake_venv(root))


@pytest.fixture
def offline_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unreachable: tuple[dict | None, str]) -> Path:
    """One fake environment whose audit source is the unreachable PyPI captured above."""
    monkeypatch.setattr(audit, "ENVIRONMENTS", {"probe": fake_venv(tmp_path)})
    monkeypatch.setattr(audit, "run_pip_audit", lambda venv: unreachable)
    monkeypatch.delenv("AUDIT_ADVISORY_DB", raising=False)
    monkeypatch.delenv("AUDIT_UNAVAILABLE_REASON", raising=False)
    return tmp_path


def test_pip_audit_really_cannot_reach_the_service(unreachable: tuple[dict | None, str]) -> None:
    report, problem = unreachable
    assert report is None and ("Connection" in problem or "Proxy" in problem), problem


def test_under_ci_an_unreachable_source_fails_the_audit(
    offline_setup: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    assert audit.main() == 2
    out = capsys.readouterr().out
    assert "AUDIT NOT PERFORMED" in out and "probe:" in out and "CI=true" in out


def test_under_ci_a_stated_reason_is_printed_as_the_result(
    offline_setup: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("AUDIT_UNAVAILABLE_REASON", "no vulnerability source reachable from this runner")
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert "AUDIT NOT PERFORMED" in out and "probe:" in out
    assert "accepted by AUDIT_UNAVAILABLE_REASON: no vulnerability source reachable from this runner" in out


def test_outside_ci_an_unreachable_source_only_warns(
    offline_setup: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert "AUDIT NOT PERFORMED" in out and "WARNING" in out


def osv(vuln_id: str, package: str, **affected: object) -> dict:
    return {
        "id": vuln_id,
        "aliases": [f"CVE-{vuln_id[-6:]}"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": package}, **affected}],
    }


@pytest.mark.parametrize(
    ("records", "expected_exit", "reported"),
    [
        # Listed version, and an ECOSYSTEM range that covers 0.0.1: two unaccepted findings.
        (
            [
                osv("PYSEC-2099-000001", PROBE, versions=["0.0.1"]),
                osv(
                    "GHSA-2099-000002",
                    "Citybot_Audit.Probe",
                    ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.0.2"}]}],
                ),
            ],
            1,
            ["GHSA-2099-000002", "PYSEC-2099-000001"],
        ),
        # Fixed before the installed version, another version, another package: clean.
        (
            [
                osv(
                    "PYSEC-2099-000003",
                    PROBE,
                    ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.0.1"}]}],
                ),
                osv("PYSEC-2099-000004", PROBE, versions=["0.0.9"]),
                osv("PYSEC-2099-000005", "requests", versions=["0.0.1"]),
            ],
            0,
            [],
        ),
    ],
)
def test_an_offline_advisory_database_replaces_the_service_under_ci(
    offline_setup: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    records: list[dict],
    expected_exit: int,
    reported: list[str],
) -> None:
    database = offline_setup / "osv"
    database.mkdir()
    for record in records:
        (database / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")

    def no_network(venv: Path) -> tuple[dict | None, str]:
        raise AssertionError("the offline database is configured: PyPI must not be asked")

    monkeypatch.setattr(audit, "run_pip_audit", no_network)
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("AUDIT_ADVISORY_DB", str(database))
    assert audit.main() == expected_exit
    out = capsys.readouterr().out
    assert "AUDIT NOT PERFORMED" not in out and "1 packages audited" in out
    assert sorted(line.split(": ")[1].split()[0] for line in out.splitlines() if "NOT ACCEPTED]" in line) == reported


def test_a_configured_but_missing_advisory_database_fails(
    offline_setup: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("AUDIT_ADVISORY_DB", str(offline_setup / "nowhere"))
    assert audit.main() == 2
    assert "does not exist" in capsys.readouterr().out
