"""An offline advisory database for `make audit`: OSV records on disk instead of PyPI's service.

`AUDIT_ADVISORY_DB` names a folder of OSV JSON files or a zip of them, e.g. osv.dev's PyPI export
(`https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip`, fetched by whoever keeps the
CI machine's mirror). Installed distributions are read from an environment's site-packages and
matched against each record's explicit `versions` list or its ECOSYSTEM ranges. The result has
the shape of pip-audit's JSON report, so one policy check serves both sources.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

ENV_VAR = "AUDIT_ADVISORY_DB"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _records(database: Path) -> Iterator[dict[str, Any]]:
    if database.is_dir():
        for path in sorted(database.rglob("*.json")):
            yield json.loads(path.read_text(encoding="utf-8"))
    elif zipfile.is_zipfile(database):
        with zipfile.ZipFile(database) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".json"):
                    yield json.loads(archive.read(name))
    else:
        raise ValueError(f"{database} is neither a folder of OSV JSON files nor a zip of them")


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_ranges(version: str, ranges: list[dict[str, Any]]) -> bool:
    current = _version(version)
    if current is None:
        return False
    for spec in ranges:
        if spec.get("type") != "ECOSYSTEM":
            continue
        affected = False
        for event in spec.get("events", []):
            if "introduced" in event:
                start = _version(event["introduced"]) if event["introduced"] != "0" else Version("0")
                affected = affected or (start is not None and current >= start)
            elif "fixed" in event and (end := _version(event["fixed"])) is not None and current >= end:
                affected = False
            elif "last_affected" in event and (last := _version(event["last_affected"])) is not None:
                affected = affected and current <= last
        if affected:
            return True
    return False


def _fixes(ranges: list[dict[str, Any]]) -> list[str]:
    return [e["fixed"] for r in ranges for e in r.get("events", []) if "fixed" in e]


def index(database: Path) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Normalised package name -> (record, its `affected` entry for that package)."""
    by_package: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for record in _records(database):
        for affected in record.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") == "PyPI" and package.get("name"):
                by_package.setdefault(_normalise(package["name"]), []).append((record, affected))
    return by_package


def installed(site_packages: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions(path=[str(site_packages)]):
        name = dist.metadata["Name"]
        if name:
            found[_normalise(name)] = dist.version
    return found


def report(site_packages: Path, database: Path) -> dict[str, Any]:
    """pip-audit's JSON report shape (`dependencies` with `vulns`), answered from `database`."""
    advisories = index(database)
    dependencies = []
    for name, version in sorted(installed(site_packages).items()):
        vulns = []
        for record, affected in advisories.get(name, []):
            ranges = affected.get("ranges", [])
            if version in affected.get("versions", []) or _in_ranges(version, ranges):
                vulns.append({"id": record["id"], "aliases": record.get("aliases", []), "fix_versions": _fixes(ranges)})
        dependencies.append({"name": name, "version": version, "vulns": vulns})
    return {"dependencies": dependencies}
