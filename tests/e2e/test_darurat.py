"""Emergency first: 112/119 at once, the booking form is switched off and nothing is booked."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_homecare import bookings_of, say, text_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(makassar_stack: Stack) -> Stack:
    """The emergency gate sits in front of the HomeCare booking, which runs in Makassar."""
    return makassar_stack


def test_emergency_message_outside_any_form(stack: Stack) -> None:
    text = text_of(say(stack, f"dr-{uuid.uuid4()}", "tolong bapak saya tiba-tiba tidak sadar"))
    assert "112" in text and "119" in text


def test_red_flag_answer_stops_the_booking(stack: Stack) -> None:
    client = f"dr-{uuid.uuid4()}"
    text = text_of(say(stack, client, "mau pesan homecare"))
    assert "tanda bahaya 1 dari 2" in text
    text = text_of(say(stack, client, payload="/ya"))
    assert "112" in text and "119" in text
    assert "nama pasien" not in text  # no personal data asked
    # The form is off: the next message is a new turn, not an answer to a booking question.
    text = text_of(say(stack, client, "terima kasih"))
    assert "nama pasien" not in text
    assert bookings_of(stack, client) == []


def test_emergency_in_the_middle_of_a_booking_never_books(stack: Stack) -> None:
    client = f"dr-{uuid.uuid4()}"
    say(stack, client, "pesan dokter ke rumah")
    say(stack, client, payload="/tidak")
    say(stack, client, payload="/tidak")
    text = text_of(say(stack, client, payload="/ya"))
    assert "nama pasien" in text, text
    text = text_of(say(stack, client, "ibu saya kejang-kejang dan tidak sadar"))
    assert "112" in text and "119" in text, text
    text = text_of(say(stack, client, "Siti Rahma"))
    assert "umur pasien" not in text, text  # the form did not go on
    assert bookings_of(stack, client) == []
