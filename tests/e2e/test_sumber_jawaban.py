"""Issue 16: an answer ends with its official source link, the day a person checked it and,
for a local rule, where it applies, so a citizen can verify before acting on it."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_homecare import say, text_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e


def test_answer_shows_source_link_review_date_and_scope(stack: Stack) -> None:
    text = text_of(say(stack, f"sj-{uuid.uuid4()}", "MRT hari minggu buka jam berapa?"))
    assert "Sabtu, Minggu, dan hari libur mulai pukul 06.00" in text, text
    assert (
        "📄 Sumber: MRT Jakarta · https://jakartamrt.co.id · diperiksa 30 Nov 2026 (aturan khusus DKI Jakarta)"
    ) in text, text


def test_national_rule_has_no_city_note(stack: Stack) -> None:
    text = text_of(say(stack, f"sj-{uuid.uuid4()}", "syarat bikin SKCK apa aja?"))
    assert "BPJS Kesehatan" in text, text  # the requirement the fact-check found missing
    assert (
        "📄 Sumber: Surat Keterangan Catatan Kepolisian (SKCK) · https://skck.polri.go.id · diperiksa 30 Nov 2026"
    ) in text, text
    assert "aturan khusus" not in text
