"""UU PDP rights in chat: the citizen sees what is kept, then has it deleted (bookings anonymised)."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_homecare import book, bookings_of, say, text_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(makassar_stack: Stack) -> Stack:
    """The data-rights flow is shown on a HomeCare booking, which runs in Makassar."""
    return makassar_stack


def test_export_then_delete_after_a_booking(stack: Stack) -> None:
    client = f"pdp-{uuid.uuid4()}"
    # A phone of its own: deleting by phone covers every record with that number.
    local = f"0813{uuid.uuid4().int % 10**8:08d}"
    code, _ = book(stack, client, phone=local)

    text = text_of(say(stack, client, "data saya apa saja?"))
    assert "Lanjutkan?" in text, text
    text = text_of(say(stack, client, payload="/ya"))
    assert code in text and "Daeng Ngalle" in text and "+62" + local[1:] in text, text

    text = text_of(say(stack, client, "hapus data saya"))
    assert "tidak bisa dibatalkan" in text, text
    text = text_of(say(stack, client, payload="/ya"))
    assert "1 pemesanan HomeCare dianonimkan" in text and "Riwayat percakapan" in text, text
    # Anonymised bookings lose the channel address, so the subject no longer finds them.
    assert bookings_of(stack, client) == []

    # The assistant forgot the conversation: asking again finds nothing.
    say(stack, client, "data saya apa aja")
    text = text_of(say(stack, client, payload="/ya"))
    assert "Tidak ada data pribadi" in text, text


def test_delete_can_be_declined(stack: Stack) -> None:
    client = f"pdp-{uuid.uuid4()}"
    say(stack, client, "tolong hapus data pribadi saya")
    text = text_of(say(stack, client, payload="/tidak"))
    assert "tidak ada yang diubah" in text, text
