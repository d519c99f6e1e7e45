"""Each city answers from national knowledge plus its own folder: a city document replaces the
national one with the same id in that city only, and documents scoped to another city are left out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citybot.retrieval import Retriever
from citybot.retrieval.index import build_index, read_manifest
from citybot.retrieval.overlay import load_city_knowledge
from citybot.settings import ROOT
from tests.city_profiles import profile_variant

KNOWLEDGE = ROOT / "knowledge"
CITIES = ROOT / "cities"
JAKARTA_TITLE = "Cara Menyampaikan Pengaduan ke Pemprov DKI Jakarta (JakLapor)"
NATIONAL_TITLE = "Cara Menyampaikan Pengaduan ke Pemerintah Kota"


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    built = {}
    for city in ("jakarta", "makassar", "banyuwangi"):
        out = tmp_path_factory.mktemp(city)
        # BM25 only: what is compared here is which documents are in each city's index.
        build_index(
            KNOWLEDGE,
            out,
            "none",
            "none",
            progress=False,
            calibrate=False,
            overlay=CITIES / city / "knowledge",
            profile=city,
        )
        built[city] = out
    return built


def best(index: Path, question: str) -> tuple[str, str]:
    hit = Retriever(index).search(question, k=3).best
    assert hit is not None, question
    return hit.doc_id, hit.title


def test_the_city_document_wins_in_its_city_only(indexes: dict[str, Path]) -> None:
    question = "gimana cara menyampaikan pengaduan, lewat kanal apa saja?"
    assert best(indexes["jakarta"], question) == ("pengaduan-cara-melapor", JAKARTA_TITLE)
    assert best(indexes["makassar"], question) == ("pengaduan-cara-melapor", NATIONAL_TITLE)
    assert best(indexes["banyuwangi"], question) == ("pengaduan-cara-melapor", NATIONAL_TITLE)


def test_another_citys_documents_are_left_out(indexes: dict[str, Path]) -> None:
    def doc_ids(city: str) -> set[str]:
        return {p.doc_id for p in Retriever(indexes[city])._load()[0].passages}

    assert "kesehatan-homecare-dottorota" in doc_ids("makassar")
    assert "kesehatan-homecare-dottorota" not in doc_ids("jakarta") | doc_ids("banyuwangi")
    assert "umkm-smart-kampung-banyuwangi" in doc_ids("banyuwangi")
    assert "umkm-smart-kampung-banyuwangi" not in doc_ids("jakarta") | doc_ids("makassar")
    assert "transportasi-jaklingko" in doc_ids("jakarta") and "transportasi-jaklingko" not in doc_ids("makassar")
    assert best(indexes["makassar"], "pesan dokter ke rumah homecare")[0] == "kesehatan-homecare-dottorota"
    assert best(indexes["jakarta"], "pesan dokter ke rumah homecare")[0] != "kesehatan-homecare-dottorota"


def test_the_fingerprint_names_the_profile(indexes: dict[str, Path]) -> None:
    prints = {city: read_manifest(out)["fingerprint"] for city, out in indexes.items()}  # type: ignore[index]
    assert len(set(prints.values())) == 3
    assert all(fp.split(":")[4] == city for city, fp in prints.items())


def test_a_broken_city_document_is_reported_with_its_file(tmp_path: Path) -> None:
    cities = profile_variant(tmp_path, "makassar")
    doc = cities / "makassar" / "knowledge" / "kesehatan" / "kesehatan-homecare-dottorota.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("scope: makassar", "scope: jakarta"), encoding="utf-8")
    knowledge = load_city_knowledge(KNOWLEDGE, cities / "makassar" / "knowledge", "makassar")
    assert [str(i) for i in knowledge.errors] == [
        f"{doc.resolve()}:2: a document of city 'makassar' cannot have scope 'jakarta'"
    ]
    check = subprocess.run(
        [sys.executable, "-m", "citybot.cli", "check-profile", str(cities / "makassar")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 1
    assert "cannot have scope 'jakarta'" in check.stderr and "kesehatan-homecare-dottorota.md" in check.stderr
