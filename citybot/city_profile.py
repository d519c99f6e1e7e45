"""City profiles: what differs between cities, read from `cities/<key>/` (data, not code).

A folder holds `profile.yml` (identity, time zone, numbers, services, office hours, service area,
branding), `areas.yml` (kelurahan/desa, puskesmas areas, HomeCare coverage), optionally
`centroids.yml` (an approximate point per kelurahan for the insight map), `seed/*.yml` (the
reference backend's sample rows, the Smart Kampung catalogue) and `knowledge/` (documents that
add to or replace national ones). `get_profile()` is the active one (setting `CITY_PROFILE`);
`load_profile(folder)` raises `ProfileError` whose lines name the file and the field.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ValidationError

from citybot.city_models import (
    HHMM,
    Areas,
    Catalogue,
    Centroids,
    CityProfile,
    ProfileFile,
    SampleComplaint,
    SamplePermit,
)

KEY_RE = re.compile(r"^[a-z][a-z0-9-]*$")


class ProfileError(Exception):
    """A broken profile; each line of `problems` names the file and the field."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        self.folder = folder
        self.problems = problems
        super().__init__(f"city profile {folder} is broken:\n" + "\n".join(f"  - {p}" for p in problems))


def _read_yaml(path: Path, problems: list[str], required: bool = True) -> dict[str, Any] | None:
    if not path.is_file():
        if required:
            problems.append(f"{path}: file missing")
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML ({exc})".replace("\n", " "))
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}: expected a mapping of fields")
        return None
    return data


def _explain(path: Path, exc: ValidationError, prefix: str = "") -> list[str]:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in (*([prefix] if prefix else []), *err["loc"]))
        msg = "missing" if err["type"] == "missing" else err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (a typo?)"
        lines.append(f"{path}: {loc}: {msg}")
    return lines


def national_service_codes() -> set[str]:
    from citybot.backend.seed_data import SERVICES  # plain data: importing it creates nothing

    return {row[0] for row in SERVICES}


def _cross_checks(p: CityProfile) -> list[str]:
    from citybot.gateway.office_hours import parse_days
    from citybot.service_area import parse_bounds

    prof, areas = p.folder / "profile.yml", p.folder / "areas.yml"
    problems: list[str] = []
    try:
        ZoneInfo(p.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{prof}: timezone: unknown time zone {p.timezone!r} (e.g. Asia/Jakarta, Asia/Makassar)")
    unknown = sorted(set(p.services.complaints) - national_service_codes())
    if unknown:
        problems.append(f"{prof}: services.complaints: unknown complaint service code(s) {', '.join(unknown)}")
    try:
        parse_days(p.office.days)
    except ValueError:
        problems.append(f"{prof}: office.days: must be ISO weekdays like 1-5, got {p.office.days!r}")
    if p.office.holiday_country:
        import holidays

        if p.office.holiday_country not in holidays.list_supported_countries():
            problems.append(f"{prof}: office.holiday_country: unknown country {p.office.holiday_country!r}")
    try:
        parse_bounds(p.bounds_spec)
    except ValueError as exc:
        problems.append(f"{prof}: service_area: {str(exc).removeprefix('CITY_BOUNDS: ')}")
    if not p.logo_path.is_file():
        problems.append(f"{prof}: branding.logo: file {p.logo_path} not found")
    known_kel = {k.name.lower() for k in p.areas.kelurahan}
    codes = {x.code for x in p.areas.puskesmas}
    for i, pk in enumerate(p.areas.puskesmas):
        for name in pk.serves:
            if name.lower() not in known_kel:
                problems.append(f"{areas}: puskesmas.{i}.serves: {name!r} is not in the kelurahan list")
    if p.services.homecare:
        hc = p.areas.homecare
        if hc is None:
            problems.append(f"{prof}: services.homecare: offered, but {areas} has no homecare: coverage")
        else:
            for code in sorted(set(hc.coverage) - codes):
                problems.append(f"{areas}: homecare.coverage: no puskesmas with code {code!r}")
            if not any(x.serves for x in p.homecare_puskesmas):
                problems.append(f"{areas}: homecare.coverage: the covered puskesmas serve no kelurahan")
            for t in hc.slot_times:
                if not re.match(HHMM, t):
                    problems.append(f"{areas}: homecare.slot_times: {t!r} is not HH:MM")
    if p.services.catalogue:
        cat = p.folder / "seed" / "catalogue.yml"
        if p.catalogue is None:
            problems.append(f"{prof}: services.catalogue: offered, but {cat} is missing")
        elif not any(s.products for s in p.catalogue.sellers):
            problems.append(f"{cat}: sellers: no products (the catalogue would be empty)")
        else:
            for i, seller in enumerate(p.catalogue.sellers):
                if seller.desa.lower() not in known_kel:
                    problems.append(f"{cat}: sellers.{i}.desa: {seller.desa!r} is not in {areas}")
    problems += _centroid_checks(p, known_kel)
    for i, c in enumerate(p.sample_complaints):
        if c.service not in p.services.complaints:
            problems.append(
                f"{p.folder / 'seed' / 'complaints.yml'}: complaints.{i}.service: "
                f"{c.service!r} is not one of services.complaints"
            )
    return problems


def _centroid_checks(p: CityProfile, known_kel: set[str]) -> list[str]:
    """Each centroid names a known kelurahan once and lies inside the city's service area, so a
    swapped lat/lon or a point typed for another city is caught before it lands on the map."""
    path = p.folder / "centroids.yml"
    problems: list[str] = []
    seen: set[str] = set()
    for i, c in enumerate(p.centroids):
        key = c.name.lower()
        if key not in known_kel:
            problems.append(f"{path}: centroids.{i}.name: {c.name!r} is not in the kelurahan list")
        if key in seen:
            problems.append(f"{path}: centroids.{i}.name: {c.name!r} is listed twice")
        seen.add(key)
        if not any(s <= c.lat <= n and w <= c.lon <= e for s, w, n, e in p.service_area):
            problems.append(f"{path}: centroids.{i}: ({c.lat}, {c.lon}) lies outside the profile's service_area")
    return problems


def _load(folder: Path) -> CityProfile:
    folder = Path(folder)
    problems: list[str] = []
    if not folder.is_dir():
        raise ProfileError(folder, [f"{folder}: no such profile folder"])
    key = folder.name
    if not KEY_RE.match(key):
        problems.append(f"{folder}: folder name must be lower-case letters, digits and '-'")
    raw = _read_yaml(folder / "profile.yml", problems)
    areas = _read_yaml(folder / "areas.yml", problems)
    seed = folder / "seed"
    catalogue = _read_yaml(seed / "catalogue.yml", problems, required=False)
    centroids = _read_yaml(folder / "centroids.yml", problems, required=False) or {}
    complaints = _read_yaml(seed / "complaints.yml", problems, required=False) or {}
    permits = _read_yaml(seed / "permits.yml", problems, required=False) or {}
    if raw is None or areas is None or problems:
        raise ProfileError(folder, problems)
    checks: list[tuple[Path, dict[str, Any], type[BaseModel]]] = [
        (folder / "profile.yml", raw, ProfileFile),
        (folder / "areas.yml", areas, Areas),
        (folder / "centroids.yml", centroids, Centroids),
    ]
    if catalogue is not None:
        checks.append((seed / "catalogue.yml", catalogue, Catalogue))
    for path, data, model in checks:
        try:
            model.model_validate(data)
        except ValidationError as exc:
            problems += _explain(path, exc)
    samples: dict[str, Any] = {}
    for path, data, field, model in (
        (seed / "complaints.yml", complaints, "complaints", SampleComplaint),
        (seed / "permits.yml", permits, "permits", SamplePermit),
    ):
        rows = data.get(field) or []
        for i, row in enumerate(rows):
            try:
                model.model_validate(row)
            except ValidationError as exc:
                problems += _explain(path, exc, f"{field}.{i}")
        samples[field] = rows
    if problems:
        raise ProfileError(folder, problems)
    profile = CityProfile.model_validate(
        {
            **raw,
            "key": key,
            "folder": folder,
            "areas": areas,
            "catalogue": catalogue,
            "centroids": centroids.get("centroids") or [],
            "sample_complaints": samples["complaints"],
            "sample_permits": samples["permits"],
        }
    )
    problems = _cross_checks(profile)
    if problems:
        raise ProfileError(folder, problems)
    return profile


@lru_cache(maxsize=32)
def _cached(folder: str) -> CityProfile:
    return _load(Path(folder))


def load_profile(folder: Path) -> CityProfile:
    """The profile in `folder`, validated; read once per process and folder."""
    return _cached(_resolved(str(folder)))


@lru_cache(maxsize=64)
def _resolved(folder: str) -> str:
    # Settings ask for the profile on every property read; resolving is a few stat calls each.
    return str(Path(folder).resolve())


def profile_folders(cities_dir: Path) -> list[Path]:
    cities_dir = Path(cities_dir)
    if not cities_dir.is_dir():
        return []
    return sorted(p for p in cities_dir.iterdir() if (p / "profile.yml").is_file())


def all_profiles(cities_dir: Path | None = None) -> list[CityProfile]:
    """Every profile in `cities_dir` (default: the settings' CITIES_DIR); a broken one raises.
    Read once per process and folder, like `load_profile`: Open311 look-ups and the actions'
    service checks ask on every request, and listing and resolving folders each time cost the
    backend a third of its CPU under load (bench/load.py --profile)."""
    if cities_dir is None:
        from citybot.settings import get_settings

        cities_dir = get_settings().cities_dir
    return list(_all_cached(str(Path(cities_dir).resolve())))


@lru_cache(maxsize=8)
def _all_cached(cities_dir: str) -> tuple[CityProfile, ...]:
    profiles = [load_profile(f) for f in profile_folders(Path(cities_dir))]
    for attr in ("code", "jurisdiction_id"):
        seen: dict[str, str] = {}
        for p in profiles:
            value = getattr(p, attr)
            if value in seen:
                raise ProfileError(
                    p.folder, [f"{p.folder / 'profile.yml'}: {attr}: {value!r} is also used by profile {seen[value]!r}"]
                )
            seen[value] = p.key
    return tuple(profiles)


def profile_by_code(code: str, cities_dir: Path | None = None) -> CityProfile | None:
    return next((p for p in all_profiles(cities_dir) if p.code == code), None)


def profile_by_jurisdiction(jurisdiction_id: str, cities_dir: Path | None = None) -> CityProfile | None:
    return next((p for p in all_profiles(cities_dir) if p.jurisdiction_id == jurisdiction_id), None)


def get_profile() -> CityProfile:
    """The active city profile (settings: CITY_PROFILE in CITIES_DIR), validated and cached."""
    from citybot.settings import get_settings

    return get_settings().profile


def require_profile(process: str) -> CityProfile:
    """Start-up gate for every process: a broken profile stops it with the reasons, exit code 2."""
    try:
        return get_profile()
    except ProfileError as exc:
        print(f"{process}: cannot start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
