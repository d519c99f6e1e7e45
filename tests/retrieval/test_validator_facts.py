"""Every document names its official sources and review date; stale reviews, passed
deadlines and one figure with two values are caught before citizens read them."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from citybot.retrieval.loader import load_knowledge
from citybot.settings import ROOT

from .conftest import write_doc

TODAY = dt.date(2026, 11, 30)
BODY = "Ringkasan singkat layanan.\n## Persyaratan\n- KTP\n"


def _issues(root: Path, severity: str, today: dt.date = TODAY, months: int = 6) -> list[str]:
    knowledge = load_knowledge(root, today=today, review_max_age_months=months)
    return [str(i) for i in knowledge.issues if i.severity == severity]


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# --- sources -------------------------------------------------------------------------------------


def test_missing_sources_is_an_error(tmp_path: Path) -> None:
    p = write_doc(tmp_path, "perizinan-a", "perizinan", "A", BODY, front="reviewed: 2026-11-01\n")
    assert f"{p}:7: front matter is missing 'sources'" in _issues(tmp_path, "error")


def test_a_source_must_be_a_web_link(tmp_path: Path) -> None:
    p = write_doc(
        tmp_path, "perizinan-a", "perizinan", "A", BODY, front="sources: [PP 76/2020]\nreviewed: 2026-11-01\n"
    )
    assert f"{p}:6: source 'PP 76/2020' is not a web link (https://...)" in _issues(tmp_path, "error")


# --- reviewed ------------------------------------------------------------------------------------


def test_missing_reviewed_is_an_error_and_belum_is_a_warning(tmp_path: Path) -> None:
    missing = write_doc(tmp_path, "perizinan-a", "perizinan", "A", BODY, front="sources: [https://oss.go.id]\n")
    never = write_doc(
        tmp_path, "perizinan-b", "perizinan", "B", BODY, front="sources: [https://oss.go.id]\nreviewed: belum\n"
    )
    assert _issues(tmp_path, "error") == [f"{missing}:7: front matter is missing 'reviewed'"]
    assert f"{never}:7: warning: not reviewed yet: check it against its sources, then write the date" in _issues(
        tmp_path, "warning"
    )


def test_review_older_than_the_setting_warns(tmp_path: Path) -> None:
    old = write_doc(
        tmp_path,
        "perizinan-lama",
        "perizinan",
        "Lama",
        BODY,
        front="sources: [https://oss.go.id]\nreviewed: 2026-05-29\n",
    )
    write_doc(
        tmp_path,
        "perizinan-baru",
        "perizinan",
        "Baru",
        BODY,
        front="sources: [https://oss.go.id]\nreviewed: 2026-05-30\n",
    )
    warnings = _issues(tmp_path, "warning")
    assert warnings == [
        f"{old}:7: warning: reviewed 2026-05-29, more than 6 months ago: check it against its sources again"
    ]
    # The age is a setting: with 12 months allowed nothing is stale.
    assert _issues(tmp_path, "warning", months=12) == []
    assert _issues(tmp_path, "error") == []


def test_review_date_in_the_future_is_an_error(tmp_path: Path) -> None:
    p = write_doc(
        tmp_path, "perizinan-a", "perizinan", "A", BODY, front="sources: [https://oss.go.id]\nreviewed: 2026-12-24\n"
    )
    assert _issues(tmp_path, "error") == [f"{p}:7: reviewed 2026-12-24 is in the future"]


def test_unknown_scope_is_an_error(tmp_path: Path) -> None:
    p = write_doc(
        tmp_path,
        "perizinan-a",
        "perizinan",
        "A",
        BODY,
        front="sources: [https://oss.go.id]\nreviewed: 2026-11-01\nscope: bandung\n",
    )
    (err,) = _issues(tmp_path, "error")
    assert err.startswith(f"{p}:8: unknown scope 'bandung'")


# --- passed dates --------------------------------------------------------------------------------


def test_a_deadline_that_has_passed_warns_at_its_line(tmp_path: Path) -> None:
    p = write_doc(
        tmp_path,
        "umkm-halal",
        "umkm",
        "Halal",
        """
        Produk wajib bersertifikat halal.
        ## Masa transisi
        - Usaha mikro diberi masa transisi sampai Oktober 2026.
        - Pendaftaran gratis dibuka hingga tanggal 15 Desember 2026.
        - Wajib sejak 18 Oktober 2026 dengan sanksi administratif.
        - Batas akhir 2025-12-31 untuk pendaftaran lama.
        """,
    )
    warnings = _issues(tmp_path, "warning")
    assert warnings == [
        f"{p}:{_line_of(p, 'sampai Oktober')}: warning: 'sampai Oktober 2026' has passed: "
        "check the fact and rewrite it",
        f"{p}:{_line_of(p, 'Batas akhir')}: warning: 'Batas akhir 2025-12-31' has passed: "
        "check the fact and rewrite it",
    ]
    # On the last day of October the month-only deadline has not passed yet.
    assert not any("Oktober" in w for w in _issues(tmp_path, "warning", today=dt.date(2026, 10, 31)))


# --- conflicting figures -------------------------------------------------------------------------


def test_one_fee_with_two_values_in_two_documents_is_refused(tmp_path: Path) -> None:
    first = write_doc(
        tmp_path,
        "administrasi-skck",
        "perizinan",
        "SKCK",
        """
        SKCK dari Polri.
        ## Biaya
        - PNBP penerbitan SKCK Rp30.000 sesuai PP 76/2020.
        """,
    )
    second = write_doc(
        tmp_path,
        "perizinan-lamaran-kerja",
        "perizinan",
        "Melamar kerja",
        """
        Berkas melamar kerja.
        ## Biaya
        - Siapkan biaya penerbitan SKCK Rp50.000 di Polres.
        """,
    )
    errs = _issues(tmp_path, "error")
    assert errs == [
        f"{second}:{_line_of(second, 'Rp50.000')}: 'penerbitan skck' is Rp50.000 here but "
        f"Rp30.000 in {first}:{_line_of(first, 'Rp30.000')}: keep one value (one place per fact)"
    ]
    # The same value written another way is no conflict.
    second.write_text(second.read_text(encoding="utf-8").replace("Rp50.000", "Rp 30 ribu"), encoding="utf-8")
    assert _issues(tmp_path, "error") == []


def test_phone_numbers_and_faq_answers_are_compared_too(tmp_path: Path) -> None:
    write_doc(
        tmp_path,
        "transportasi-tj",
        "transportasi",
        "TJ",
        """
        Bus kota.
        ## Bantuan
        - Pengaduan: call center TransJakarta 1500-102.
        """,
    )
    faq = tmp_path / "faq" / "umum.yml"
    faq.parent.mkdir()
    faq.write_text(
        "- id: tj\n  doc: transportasi-tj\n  questions: ['nomor pengaduan busway']\n"
        "  answer: Hubungi call center TransJakarta 1500103.\n",
        encoding="utf-8",
    )
    (err,) = _issues(tmp_path, "error")
    assert err.startswith(f"{faq}:4: 'center transjakarta' is 1500103 here but 1500-102 in ")


def test_figures_without_a_named_label_are_not_compared(tmp_path: Path) -> None:
    """Every transport mode has its own "tarif umum": a bare label names nothing."""
    write_doc(tmp_path, "transportasi-bus", "transportasi", "Bus", "Bus.\n## Tarif\n- Tarif umum Rp3.500.\n")
    write_doc(tmp_path, "transportasi-kereta", "transportasi", "Kereta", "Kereta.\n## Tarif\n- Tarif umum Rp5.000.\n")
    write_doc(
        tmp_path,
        "kesehatan-iuran",
        "kesehatan",
        "Iuran",
        """
        Iuran.
        ## Besar iuran
        - Kelas III: Rp42.000, peserta membayar Rp35.000.
        - Kelas II: Rp100.000.
        - KUR Mikro: di atas Rp10 juta sampai Rp100 juta.
        """,
    )
    write_doc(tmp_path, "umkm-modal", "umkm", "Modal", "Modal.\n## KUR\n- KUR Mikro: di atas Rp25 juta.\n")
    assert _issues(tmp_path, "error") == []


# --- FAQ points to a document section instead of repeating it ------------------------------------


def test_faq_section_pointer_answers_with_the_document_text(tmp_path: Path) -> None:
    write_doc(tmp_path, "transportasi-tj", "transportasi", "TJ", "Bus.\n## Tarif\n- Tarif umum Rp3.500.\n")
    faq = tmp_path / "faq" / "umum.yml"
    faq.parent.mkdir()
    faq.write_text(
        "- id: tarif\n  doc: transportasi-tj\n  questions: ['ongkos busway']\n  section: tarif\n"
        "- id: salah\n  doc: transportasi-tj\n  questions: ['jam buka']\n  section: Jam operasi\n",
        encoding="utf-8",
    )
    knowledge = load_knowledge(tmp_path, today=TODAY)
    (passage,) = [p for p in knowledge.passages if p.kind == "faq"]
    assert passage.text == "- Tarif umum Rp3.500."
    assert passage.sources == ["https://www.example.go.id/layanan"] and passage.reviewed == "2026-11-01"
    assert [str(i) for i in knowledge.errors] == [
        f"{faq}:5: FAQ entry points to unknown section 'Jam operasi' of 'transportasi-tj'"
    ]


# --- the real knowledge base ---------------------------------------------------------------------


def test_real_knowledge_has_sources_everywhere_and_no_conflicts() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "citybot.retrieval", "validate", "knowledge"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert "has passed" not in out.stdout
    from citybot.retrieval.overlay import load_city_knowledge

    knowledge = load_knowledge(ROOT / "knowledge")
    assert all(d.sources and all(u.startswith("https://") for u in d.sources) for d in knowledge.documents)
    scoped = {d.doc_id: d.scope for d in knowledge.documents}
    assert scoped["transportasi-transjakarta"] == "jakarta"
    # A city's own programme lives in its overlay, with sources like every national document.
    makassar = load_city_knowledge(ROOT / "knowledge", ROOT / "cities" / "makassar" / "knowledge", "makassar")
    assert not makassar.errors
    assert all(d.sources for d in makassar.documents)
    assert {d.doc_id: d.scope for d in makassar.documents}["kesehatan-homecare-dottorota"] == "makassar"
    faq_text = (ROOT / "knowledge" / "faq" / "umum.yml").read_text(encoding="utf-8")
    assert "Rp" not in faq_text  # one place per fact: figures live in the documents


# --- editors' report -----------------------------------------------------------------------------


def test_review_report_orders_by_review_age_and_lists_passed_dates_and_unsourced(tmp_path: Path) -> None:
    write_doc(
        tmp_path,
        "perizinan-baru",
        "perizinan",
        "Baru",
        BODY,
        front="sources: [https://oss.go.id]\nreviewed: 2026-11-20\n",
    )
    write_doc(
        tmp_path,
        "perizinan-lama",
        "perizinan",
        "Lama",
        "Lama.\n## Tenggat\n- Daftar paling lambat Maret 2026.\n",
        front="sources: [https://oss.go.id]\nreviewed: 2026-01-10\nscope: jakarta\n",
    )
    write_doc(
        tmp_path, "perizinan-belum", "perizinan", "Belum", BODY, front="sources: [https://oss.go.id]\nreviewed: belum\n"
    )
    unsourced = write_doc(tmp_path, "perizinan-tanpa", "perizinan", "Tanpa", BODY, front="reviewed: 2026-11-01\n")
    out = subprocess.run(
        [sys.executable, "-m", "citybot.retrieval", "review", str(tmp_path), "--today", "2026-11-30"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if "perizinan-" in line and "sumber" in line]
    ids = [next(w for w in r.split() if w.startswith("perizinan-")) for r in rows]
    assert ids == ["perizinan-belum", "perizinan-lama", "perizinan-baru"]
    assert rows[0].startswith(" !") and "belum pernah diperiksa" in rows[0]
    assert rows[1].startswith(" !") and "2026-01-10, 324 hari lalu" in rows[1] and "[jakarta]" in rows[1]
    assert rows[2].startswith("  ")  # reviewed 10 days ago: nothing to do
    assert "'paling lambat Maret 2026' has passed" in out.stdout
    assert f"Dokumen tanpa sumber resmi (1):\n   {unsourced}" in out.stdout
    assert "3 dokumen: 1 belum diperiksa, 1 perlu diperiksa ulang, 1 tanggal lewat, 1 tanpa sumber." in out.stdout
