"""`make audit` fails only on findings not accepted in docs/security.md (and never on no network)."""

from __future__ import annotations

from tests.security.audit import Finding, accepted, findings_of, is_accepted


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
            {"name": "aiohttp", "version": "3.9.5", "vulns": [
                {"id": "GHSA-xxxx", "aliases": ["CVE-2024-52304"], "fix_versions": ["3.10.11"]},
                {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "fix_versions": []},
            ]},
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
