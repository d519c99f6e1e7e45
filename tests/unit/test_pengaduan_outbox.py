"""The durable complaint outbox: one row per idempotency key, leases, and the state machine."""

from __future__ import annotations

import threading
from pathlib import Path

from citybot.client.outbox import Outbox


def test_enqueue_is_idempotent_per_key_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path)
    assert box.enqueue("pengaduan", "k1", "web-abc", {"service_code": "sampah"}, {"terkirim": "Nomor {tiket}"})
    assert not box.enqueue("pengaduan", "k1", "web-abc", {"service_code": "sampah"})
    reopened = Outbox(path)
    item = reopened.get("k1")
    assert item is not None
    assert item.state == "pending"
    assert item.payload == {"service_code": "sampah"}
    assert item.context == {"terkirim": "Nomor {tiket}"}
    assert [i.key for i in reopened.pending_for("web-abc")] == ["k1"]
    assert reopened.pending_for("web-other") == []


def test_claimed_items_are_leased_so_two_workers_never_take_the_same_one(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    for n in range(20):
        box.enqueue("pengaduan", f"k{n}", "web-abc", {"n": n})
    taken: list[list[str]] = []

    def worker() -> None:
        taken.append([i.key for i in Outbox(box.path).claim_due(limit=20)])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [k for batch in taken for k in batch]
    assert sorted(keys) == sorted(f"k{n}" for n in range(20))  # each exactly once
    assert box.claim_due() == []  # all leased


def test_retry_later_postpones_and_counts_attempts(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.enqueue("pengaduan", "k1", "web-abc", {})
    [item] = box.claim_due()
    box.retry_later(item.key, "BackendUnavailable", delay_seconds=60)
    assert box.claim_due() == []
    due = box.seconds_until_due()
    assert due is not None and 55 < due <= 60
    again = box.get("k1")
    assert again is not None and again.attempts == 1 and again.last_error == "BackendUnavailable"


def test_delivered_then_notified_is_finished(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.enqueue("pengaduan", "k1", "web-abc", {})
    box.claim_due()
    box.mark_delivered("k1", {"tiket": "JKL-2026-000042"})
    item = box.get("k1")
    assert item is not None and item.state == "delivered" and item.result == {"tiket": "JKL-2026-000042"}
    # Delivered but not yet told to the citizen: still owed, due at once.
    assert [i.key for i in box.claim_due()] == ["k1"]
    assert box.pending_for("web-abc") == []
    box.mark_notified("k1")
    assert box.seconds_until_due() is None
    assert box.counts() == {"notified": 1}


def test_rejected_keeps_the_reason_for_the_citizen(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.enqueue("pengaduan", "k1", "web-abc", {})
    box.mark_rejected("k1", {"alasan": "Kategori tidak dikenal."}, "unknown_service")
    item = box.get("k1")
    assert item is not None and item.state == "rejected" and item.last_error == "unknown_service"
    assert item.result["alasan"] == "Kategori tidak dikenal."
