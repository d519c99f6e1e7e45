"""The validator reports file:line errors an editor can act on, and the CLI fails on them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from citybot.retrieval.loader import load_knowledge
from citybot.settings import ROOT

from .conftest import write_doc

GOOD_BODY = """\
Ringkasan singkat layanan.
## Persyaratan
- KTP
"""


def _errors(root: Path) -> list[str]:
    return [str(i) for i in load_knowledge(root).errors]


def test_valid_dir_has_no_errors(tmp_path: Path) -> None:
    write_doc(tmp_path, "perizinan-contoh", "perizinan", "Contoh", GOOD_BODY)
    assert _errors(tmp_path) == []


def test_missing_front_matter(tmp_path: Path) -> None:
    p = tmp_path / "perizinan" / "tanpa-header.md"
    p.parent.mkdir()
    p.write_text("# Judul\n## Bagian\nisi\n", encoding="utf-8")
    assert _errors(tmp_path) == [f"{p}:1: missing front matter: the file must start with a line '---'"]


def test_bad_yaml_points_at_the_line(tmp_path: Path) -> None:
    p = tmp_path / "perizinan" / "rusak.md"
    p.parent.mkdir()
    p.write_text("---\nid: rusak\ntitle: [tidak ditutup\ncategory: perizinan\n---\n## A\nb\n", encoding="utf-8")
    (err,) = _errors(tmp_path)
    assert err.startswith(f"{p}:") and "not valid YAML" in err
    assert int(err.split(":")[1]) in (3, 4, 5)


def test_missing_field_id_mismatch_and_unknown_category(tmp_path: Path) -> None:
    p = tmp_path / "perizinan" / "nama-file.md"
    p.parent.mkdir()
    p.write_text("---\nid: nama-lain\ntitle: Judul\ncategory: olahraga\n---\nRingkas.\n## A\nisi\n", encoding="utf-8")
    errs = _errors(tmp_path)
    assert f"{p}:5: front matter is missing 'sources'" in errs
    assert f"{p}:5: front matter is missing 'reviewed'" in errs
    assert any(e.startswith(f"{p}:2: id 'nama-lain' must equal the file name 'nama-file'") for e in errs)
    assert any(e.startswith(f"{p}:4: unknown category 'olahraga'") for e in errs)


def test_empty_section_is_reported_at_its_heading(tmp_path: Path) -> None:
    p = write_doc(
        tmp_path, "kesehatan-kosong", "kesehatan", "Kosong", "Ringkas.\n## Persyaratan\n\n## Prosedur\n1. Datang\n"
    )
    lines = p.read_text(encoding="utf-8").splitlines()
    heading_line = lines.index("## Persyaratan") + 1
    assert _errors(tmp_path) == [f"{p}:{heading_line}: section 'Persyaratan' is empty"]


def test_duplicate_ids_across_folders(tmp_path: Path) -> None:
    write_doc(tmp_path, "kembar", "perizinan", "Satu", GOOD_BODY)
    second = write_doc(tmp_path, "kembar", "kesehatan", "Dua", GOOD_BODY)
    errs = _errors(tmp_path)
    assert len(errs) == 1
    assert errs[0].startswith(f"{second}:2: duplicate id 'kembar'") or errs[0].startswith(
        f"{tmp_path / 'perizinan' / 'kembar.md'}:2: duplicate id 'kembar'"
    )


def test_faq_and_checks_errors(tmp_path: Path) -> None:
    write_doc(tmp_path, "perizinan-contoh", "perizinan", "Contoh", GOOD_BODY)
    faq = tmp_path / "faq" / "umum.yml"
    faq.parent.mkdir()
    faq.write_text(
        "- id: ok\n  doc: perizinan-contoh\n  questions: ['apa']\n  answer: ya\n"
        "- id: salah\n  doc: tidak-ada\n  questions: ['apa']\n  answer: ya\n",
        encoding="utf-8",
    )
    checks = tmp_path / "checks.yml"
    checks.write_text("checks:\n  - {q: 'halo', doc: perizinan-contoh}\n  - {q: 'x', doc: hilang}\n", encoding="utf-8")
    errs = _errors(tmp_path)
    assert f"{faq}:5: FAQ entry points to unknown document 'tidak-ada'" in errs
    assert f"{checks}:3: check points to unknown document 'hilang'" in errs


def test_cli_exit_codes(tmp_path: Path) -> None:
    write_doc(tmp_path, "perizinan-contoh", "perizinan", "Contoh", GOOD_BODY)
    ok = subprocess.run(
        [sys.executable, "-m", "citybot.retrieval", "validate", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert ok.returncode == 0, ok.stderr
    write_doc(tmp_path, "perizinan-kosong", "perizinan", "Kosong", "Ringkas.\n## A\n")
    bad = subprocess.run(
        [sys.executable, "-m", "citybot.retrieval", "validate", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert bad.returncode == 1
    assert "perizinan-kosong.md:11: section 'A' is empty" in bad.stderr
