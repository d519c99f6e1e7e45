"""Test helper: a copy of the shipped city profiles with some fields changed, e.g. office hours
that are always open, or a deliberately broken profile. Returns where it is, for the settings
(`cities_dir`/`city_profile`) or the environment (`CITIES_DIR`/`CITY_PROFILE`)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from citybot.settings import ROOT

CITIES = ROOT / "cities"
# Environment names of the fields that used to be settings, and where they now live in a profile.
ENV_FIELDS = {
    "OFFICE_HOURS": "office.hours",
    "OFFICE_DAYS": "office.days",
    "OFFICE_CLOSED_DATES": "office.closed_dates",
    "OFFICE_HOLIDAY_COUNTRY": "office.holiday_country",
}


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    if value is None:
        data.pop(last, None)
    else:
        data[last] = value


def profile_variant(where: Path, profile: str = "jakarta", file: str = "profile.yml", **changes: Any) -> Path:
    """Copy every shipped profile into `where/cities` and change `profile`'s `file`: keys are dotted
    field paths with '.' written as '__' (office__hours="00:00-23:59"); None removes a field.
    Returns the new cities dir."""
    cities = where / "cities"
    if not cities.exists():
        shutil.copytree(CITIES, cities)
    path = cities / profile / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        _set(data, key.replace("__", "."), value)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cities


def office_from_env(where: Path, env: dict[str, str], profile: str = "jakarta") -> dict[str, str]:
    """Moves OFFICE_* values out of `env` into a profile variant; returns the env to use."""
    changes = {ENV_FIELDS[k].replace(".", "__"): env.pop(k) for k in list(env) if k in ENV_FIELDS}
    if not changes:
        return env
    if "office__closed_dates" in changes:
        changes["office__closed_dates"] = [d.strip() for d in changes["office__closed_dates"].split(",") if d.strip()]
    env["CITIES_DIR"] = str(profile_variant(where, env.get("CITY_PROFILE", profile), **changes))
    return env
