from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from actions.common.responses import MissingResponse, optional_text, response_text
from actions.umum import greeting_for
from citybot.city_profile import ProfileError
from citybot.cli import content_hash, init_env
from citybot.gateway.messages import clean_text, replies_from_rasa
from citybot.gateway.rasa_client import RasaClient
from citybot.gateway.senders import sender_id
from citybot.rasa_endpoints import lock_store_config, tracker_store_config
from citybot.settings import Settings
from tests.city_profiles import profile_variant


def test_sender_id_is_keyed_stable_and_hides_the_platform_id() -> None:
    first = sender_id("k1", "whatsapp", "6281234567890")
    assert first == sender_id("k1", "whatsapp", "6281234567890")
    assert first != sender_id("k2", "whatsapp", "6281234567890")
    assert first != sender_id("k1", "telegram", "6281234567890")
    assert "6281234567890" not in first and first.startswith("whatsapp-")


def test_sender_id_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError, match="SENDER_ID_KEY"):
        sender_id("", "web", "abc")


@pytest.mark.parametrize(
    ("hour", "expected"),
    [(5, "Selamat pagi"), (12, "Selamat siang"), (16, "Selamat sore"), (20, "Selamat malam"), (2, "Selamat malam")],
)
def test_greeting_follows_the_time_of_day(hour: int, expected: str) -> None:
    assert greeting_for(datetime(2026, 11, 27, hour, 0)) == expected


def test_response_text_reads_the_domain() -> None:
    domain = {"responses": {"utter_judul_x": [{"text": "Judul X"}]}}
    assert response_text(domain, "utter_judul_x") == "Judul X"
    assert optional_text(domain, "utter_missing") is None
    with pytest.raises(MissingResponse, match="utter_missing"):
        response_text(domain, "utter_missing")


def test_rasa_replies_are_normalised() -> None:
    replies = replies_from_rasa(
        [
            {"recipient_id": "a", "text": "Halo", "buttons": [{"title": "Menu", "payload": "/menu"}]},
            {"recipient_id": "a", "image": "http://x/y.png"},
            {"recipient_id": "a"},
        ]
    )
    assert [r.text for r in replies] == ["Halo", None]
    assert replies[0].buttons[0].payload == "/menu"
    assert replies[1].image == "http://x/y.png"


def test_clean_text_strips_nul_and_spaces() -> None:
    assert clean_text("  ha\x00lo \n") == "halo"


def test_senders_are_spread_stably_over_rasa_servers() -> None:
    client = RasaClient(["http://a", "http://b"], timeout=1)
    chosen = {client.url_for(f"s{i}") for i in range(50)}
    assert chosen == {"http://a", "http://b"}
    assert client.url_for("s1") == client.url_for("s1")


def test_tracker_store_config_from_urls(tmp_path: Path) -> None:
    assert tracker_store_config("", tmp_path)["db"] == str(tmp_path / "rasa_tracker.db")
    pg = tracker_store_config("postgresql://bot:pw@db.local:5433/tracker", tmp_path)
    assert (pg["dialect"], pg["url"], pg["port"], pg["db"], pg["username"]) == (
        "postgresql",
        "db.local",
        5433,
        "tracker",
        "bot",
    )
    with pytest.raises(ValueError, match="unsupported"):
        tracker_store_config("mysql://x/y", tmp_path)
    assert lock_store_config("redis://127.0.0.1:6380/2") == {
        "type": "redis",
        "url": "127.0.0.1",
        "port": 6380,
        "db": 2,
        "key_prefix": "asistenkota",
    }
    assert lock_store_config("") is None


def test_bad_settings_fail_fast_with_a_clear_message(tmp_path: Path) -> None:
    zone = profile_variant(tmp_path / "zone", timezone="Asia/Atlantis")
    with pytest.raises(ProfileError, match="timezone: unknown time zone 'Asia/Atlantis'"):
        assert Settings(cities_dir=zone).city_timezone
    hours = profile_variant(tmp_path / "hours", office__hours="8-16")
    with pytest.raises(ProfileError, match=r"profile.yml: office.hours: String should match"):
        assert Settings(cities_dir=hours).office_hours
    with pytest.raises(ValidationError):
        Settings(gateway_port=70000)


def test_content_hash_changes_with_content(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.yml").write_text("a")
    before = content_hash([tmp_path / "d"], root=tmp_path)
    assert before == content_hash([tmp_path / "d"], root=tmp_path)
    (tmp_path / "d" / "a.yml").write_text("b")
    assert content_hash([tmp_path / "d"], root=tmp_path) != before


def test_init_env_writes_random_secrets_once(tmp_path: Path) -> None:
    example = tmp_path / ".env.example"
    example.write_text("A=change-me\nB=keep\n# comment\n")
    target = tmp_path / ".env"
    init_env(target, example)
    first = target.read_text()
    assert "change-me" not in first and "B=keep" in first
    init_env(target, example)
    assert target.read_text() == first


def test_sqlite_tracker_urls_keep_absolute_paths(tmp_path: Path) -> None:
    assert tracker_store_config("sqlite:////tmp/x/tracker.db", tmp_path)["db"] == "/tmp/x/tracker.db"
    assert tracker_store_config("sqlite:///var/tracker.db", tmp_path)["db"] == "var/tracker.db"
