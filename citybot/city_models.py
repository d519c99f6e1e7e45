"""The shape of a city profile (`cities/<key>/`): pydantic models that refuse unknown fields, so
a typo in a profile is an error naming the field, not a silently ignored value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Numbers(_Strict):
    emergency: str = Field(min_length=1)
    ambulance: str = Field(min_length=1)
    fire: str = Field(min_length=1)
    police: str = Field(min_length=1)
    sar: str = Field(min_length=1)
    women_child_protection: str = Field(min_length=1)
    disaster_agency: str = Field(min_length=1)


class Services(_Strict):
    complaints: list[str] = Field(min_length=1)  # Open311 service codes; complaints are always offered
    homecare: bool = False
    catalogue: bool = False
    permit_status: bool = False
    transport_info: bool = False


class Office(_Strict):
    hours: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
    days: str = "1-5"
    closed_dates: list[dt.date] = []
    holiday_country: str = "ID"


class Branding(_Strict):
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    logo: str = Field(min_length=1)


class Kelurahan(_Strict):
    name: str = Field(min_length=1)
    kecamatan: str = Field(min_length=1)
    kind: Literal["kelurahan", "desa"] = "kelurahan"


class Puskesmas(_Strict):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kecamatan: str = Field(min_length=1)
    kelurahan: str = ""
    address: str = ""
    phone: str = ""
    serves: list[str] = []


class HomeCare(_Strict):
    hours: str = Field(min_length=1)
    slot_times: list[str] = Field(min_length=1)
    slot_minutes: int = Field(90, ge=15, le=480)
    slot_capacity: int = Field(2, ge=1, le=100)
    closed_weekdays: list[int] = [7]
    coverage: list[str] = Field(min_length=1)  # codes of the puskesmas that make home visits


class Areas(_Strict):
    kelurahan: list[Kelurahan] = Field(min_length=1)
    puskesmas: list[Puskesmas] = []
    homecare: HomeCare | None = None


class Centroid(_Strict):
    """An approximate point of a kelurahan/desa: reports without coordinates are drawn there."""

    name: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Centroids(_Strict):
    """The fields of centroids.yml."""

    centroids: list[Centroid] = []


class Product(_Strict):
    name: str
    category: str
    price: int = Field(ge=0)
    unit: str
    description: str = ""


class Seller(_Strict):
    name: str
    phone: str
    location: str
    desa: str
    products: list[Product] = []


class Catalogue(_Strict):
    sellers: list[Seller] = Field(min_length=1)


class SampleComplaint(_Strict):
    key: str
    service: str
    status_path: list[str] = Field(min_length=1)
    description: str
    address: str
    kelurahan: str | None = None
    lat: float | None = None
    long: float | None = None
    days_ago: int = Field(ge=0)


class SamplePermit(_Strict):
    number: str
    type: str
    applicant: str
    status_path: list[str] = Field(min_length=1)
    days_ago: int = Field(ge=0)
    days_to_complete: int = Field(ge=0)


class ProfileFile(_Strict):
    """The fields of profile.yml."""

    name: str = Field(min_length=1)
    assistant_name: str = Field(min_length=1)
    code: str = Field(pattern=r"^[A-Z]{2,5}$")
    jurisdiction_id: str = Field(min_length=1, max_length=64)
    timezone: str
    numbers: Numbers
    services: Services
    office: Office
    service_area: list[tuple[float, float, float, float]] = Field(min_length=1)
    branding: Branding


class CityProfile(ProfileFile):
    key: str
    folder: Path
    areas: Areas
    catalogue: Catalogue | None = None
    centroids: list[Centroid] = []
    sample_complaints: list[SampleComplaint] = []
    sample_permits: list[SamplePermit] = []

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def knowledge_dir(self) -> Path:
        return self.folder / "knowledge"

    @property
    def logo_path(self) -> Path:
        return self.folder / self.branding.logo

    @property
    def bounds_spec(self) -> str:
        """The "south,west,north,east;..." form `citybot.service_area` reads."""
        return ";".join(",".join(str(v) for v in box) for box in self.service_area)

    @property
    def homecare_puskesmas(self) -> list[Puskesmas]:
        if not self.services.homecare or self.areas.homecare is None:
            return []
        covered = set(self.areas.homecare.coverage)
        return [p for p in self.areas.puskesmas if p.code in covered]

    def centroid_index(self) -> dict[str, Centroid]:
        """Centroids by lower-cased name: complaints carry the kelurahan as the citizen or bot wrote it."""
        return {c.name.lower(): c for c in self.centroids}

    def offers(self, service: Literal["homecare", "catalogue", "permit_status", "transport_info"]) -> bool:
        return bool(getattr(self.services, service))
