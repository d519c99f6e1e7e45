"""The reference backend is seeded from every city profile; each city's rows keep its jurisdiction,
and Open311 lists the complaint services of the profile asked for."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import func, select

from citybot.backend.db import Database
from citybot.backend.migrate import upgrade
from citybot.backend.models import Complaint, Jurisdiction, PermitApplication, Product, Puskesmas
from citybot.backend.seed import seed
from citybot.city_profile import all_profiles
from citybot.settings import ROOT
from tests.backend.conftest import Backend, make_settings
from tests.city_profiles import profile_variant


def test_every_profile_is_seeded_into_its_own_jurisdiction(backend: Backend) -> None:
    with backend.db.writing() as session:
        jurisdictions = {j.id: (j.name, j.timezone, j.ticket_prefix) for j in session.scalars(select(Jurisdiction))}
        for profile in all_profiles(ROOT / "cities"):
            assert jurisdictions[profile.jurisdiction_id] == (profile.name, profile.timezone, profile.code)
            seeded = session.scalars(
                select(Complaint.ticket).where(
                    Complaint.jurisdiction_id == profile.jurisdiction_id, Complaint.device_id.like("seed-%")
                )
            ).all()
            assert len(seeded) == len(profile.sample_complaints)
            assert all(t.startswith(f"{profile.code}-") for t in seeded)
            permits = session.scalar(
                select(func.count())
                .select_from(PermitApplication)
                .where(PermitApplication.jurisdiction_id == profile.jurisdiction_id)
            )
            assert permits == len(profile.sample_permits)
        # HomeCare visits are booked only where a city offers them (Makassar's puskesmas, WITA).
        homecare = {(p.city, p.timezone) for p in session.scalars(select(Puskesmas))}
        assert homecare == {("Kota Makassar", "Asia/Makassar")}
        catalogue = next(p.catalogue for p in all_profiles(ROOT / "cities") if p.catalogue is not None)
        expected = {item.name for seller in catalogue.sellers for item in seller.products}
        assert expected and expected <= set(session.scalars(select(Product.name)))


async def test_open311_lists_the_services_of_the_profile_asked_for(tmp_path: Path, backend: Backend) -> None:
    # A Banyuwangi that takes only three kinds of complaints, served next to the unchanged cities.
    cities = profile_variant(tmp_path, "banyuwangi", services__complaints=["lampu-jalan", "kebisingan", "jalan-rusak"])
    url = f"sqlite:///{tmp_path / 'b.db'}"
    upgrade(url)
    settings = make_settings(url, cities_dir=cities)
    db = Database.connect(url)
    try:
        seed(db, settings)
        from citybot.backend.app import create_app

        app = create_app(settings, db=db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            own = (await http.get("/open311/v2/services.json")).json()
            assert len(own) == 14  # the active profile, Jakarta, takes every national category
            other = await http.get("/open311/v2/services.json", params={"jurisdiction_id": "banyuwangikab.go.id"})
            assert [s["service_code"] for s in other.json()] == ["jalan-rusak", "kebisingan", "lampu-jalan"]
            unknown = await http.get("/open311/v2/services.json", params={"jurisdiction_id": "x.go.id"})
            assert unknown.status_code == 404
    finally:
        db.dispose()
