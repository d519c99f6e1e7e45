"""The conversation benchmark's real-system checks: what the backend and the agent console
recorded for a finished conversation."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.conversation_goals import Conversation
from bench.conversation_replies import missing_groups

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Checker:
    """The real system's view: backend API (complaints, bookings, data export, products) and the
    agent console's handoff queue. Any part may be missing (then that check is not done)."""

    backend_url: str | None
    api_key: str | None
    sender_key: str | None
    gateway_url: str
    agent_password: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def has_backend(self) -> bool:
        return bool(self.backend_url and self.api_key and self.sender_key)

    def address(self, client: str) -> str:
        from citybot.gateway.senders import sender_id
        from tests.webclient import client_id

        assert self.sender_key
        return sender_id(self.sender_key, "web", client_id(self.gateway_url, client))

    def _city(self) -> Any:
        from citybot.client import CityClient

        return CityClient(self.backend_url, self.api_key, timeout=15)

    def _run(self, call: Callable[[Any], Any]) -> Any:
        async def go() -> Any:
            async with self._city() as city:
                return await call(city)

        return asyncio.run(go())

    def complaints(self, client: str) -> list[Any]:
        return list(self._run(lambda c: c.complaints_of_reporter("web", self.address(client))))

    def export(self, client: str) -> Any:
        return self._run(lambda c: c.export_data(channel="web", address=self.address(client)))

    def complaint(self, ticket: str) -> Any:
        return self._run(lambda c: c.get_complaint(ticket))

    def products(self, q: str, max_price: int) -> list[Any]:
        return list(self._run(lambda c: c.search_products(q, max_price=max_price, page_size=50)).items)

    def handoff_queued(self, client: str) -> bool | None:
        if not self.agent_password or not self.sender_key:
            return None
        headers = {"X-Requested-With": "agent-console"}
        with httpx.Client(base_url=self.gateway_url, timeout=15) as http:
            login = http.post(
                "/agent/api/login", json={"username": "admin", "password": self.agent_password}, headers=headers
            )
            login.raise_for_status()
            queue = http.get("/agent/api/queue").json()["items"]
        return any(item["sender"] == self.address(client) for item in queue)

    def check(self, conv: Conversation, client: str, chain: Mapping[str, Any]) -> tuple[bool | None, str]:
        """(passed, what was checked); passed is None when the check needs what we do not have."""
        kind, _, rest = conv.check.partition(":")
        if kind == "knowledge":
            return check_knowledge(conv, rest.split(","), chain)
        if kind == "handoff":
            queued = self.handoff_queued(client)
            filed = self.complaints(client) if self.has_backend else []
            if queued is None:
                return None, "reply only (no console access)"
            return queued and not filed, f"handoff queued: {queued}; complaints filed: {len(filed)}"
        if not self.has_backend:
            return None, "reply only (no backend access)"
        if kind == "complaint":
            return self._check_complaint(rest, client, chain)
        if kind == "booking":
            return self._check_booking(rest, client, chain)
        if kind == "data":
            export = self.export(client)
            tickets = chain.get("tickets") or []
            kept = [self.complaint(t) for t in tickets]
            personal = len(export.complaints) + len(export.bookings) + len(export.subscriptions)
            ok = personal == 0 and all(k.ticket for k in kept)
            return ok, f"personal records left: {personal}; reports kept anonymised: {len(kept)}"
        if kind == "products":
            word, limit = rest.split(":")
            names = {p.name for p in self.products(word, int(limit))}
            shown = str(chain.get("products_shown") or "")
            listed = [n for n in names if n in shown]
            return bool(listed), f"{len(listed)} of {len(names)} matching catalogue products listed"
        if kind == "nothing":
            filed = self.complaints(client)
            queued = self.handoff_queued(client)
            ok = not filed and not queued
            return ok, f"complaints filed: {len(filed)}; handoff queued: {queued}"
        return None, f"unknown check {conv.check!r}"

    def _check_complaint(self, rest: str, client: str, chain: Mapping[str, Any]) -> tuple[bool, str]:
        """complaint:<service>:<contact|anonymous>[:kel=<kelurahan>][:at=<lat>,<lon>]: filed once, with
        the ticket shown in the chat, the right category, kelurahan or map point, and reporter."""
        service, who, *extras = rest.split(":")
        filed = self.complaints(client)
        tickets = chain.get("tickets") or []
        notes = [f"{len(filed)} filed"]
        ok = len(filed) == 1 and bool(tickets) and filed[0].ticket == tickets[-1]
        if not filed:
            return False, notes[0]
        c = filed[-1]
        notes.append(c.service_code)
        ok = ok and c.service_code == service
        for extra in extras:
            name, _, value = extra.partition("=")
            if name == "kel":
                same = (c.kelurahan or "").lower() == value.lower()
                notes.append(f"Kel. {c.kelurahan}")
                ok = ok and same
            elif name == "at":
                lat, lon = (float(x) for x in value.split(","))
                near = c.lat is not None and c.long is not None and abs(c.lat - lat) < 1e-3 and abs(c.long - lon) < 1e-3
                notes.append(f"map point {'kept' if near else 'lost'}")
                ok = ok and near
        export = self.export(client)
        mine = [x for x in export.complaints if x.get("ticket") == c.ticket]
        named = bool(mine and mine[0].get("reporter_name"))
        notes.append("named" if named else "anonymous")
        return ok and named == (who == "contact"), ", ".join(notes)

    def _check_booking(self, rest: str, client: str, chain: Mapping[str, Any]) -> tuple[bool, str]:
        codes = chain.get("codes") or []
        export = self.export(client)
        mine = [b for b in export.bookings if b.get("code") in codes]
        if not mine:
            return False, f"no booking of this chat ({len(export.bookings)} in export)"
        booking = mine[-1]
        status = str(booking.get("status"))
        want, _, kelurahan = rest.partition(":")
        if want == "cancelled":
            return status == "cancelled", f"{booking.get('code')} {status}"
        ok = (
            status in ("booked", "pending", "proposed")
            and kelurahan.lower() in str(booking.get("kelurahan", "")).lower()
        )
        return ok, f"{booking.get('code')} {status}, Kel. {booking.get('kelurahan')}"


def knowledge_titles(doc_ids: Iterable[str]) -> dict[str, str]:
    """doc id -> (title, full text) of knowledge/<category>/<id>.md."""
    found = {}
    for doc_id in doc_ids:
        for path in (ROOT / "knowledge").glob(f"*/{doc_id}.md"):
            found[doc_id] = path.read_text(encoding="utf-8")
    return found


def check_knowledge(conv: Conversation, doc_ids: Sequence[str], chain: Mapping[str, Any]) -> tuple[bool, str]:
    """The answers cite one of the documents that hold the expected words (knowledge/ as the
    editors wrote it), and those documents do hold every word group (the goal is fair)."""
    docs = knowledge_titles(doc_ids)
    if len(docs) != len(doc_ids):
        return False, f"missing knowledge files: {sorted(set(doc_ids) - set(docs))}"
    titles = {}
    for doc_id, text in docs.items():
        found = re.search(r"^title:\s*(.+)$", text, re.M)
        titles[doc_id] = found.group(1).strip() if found else doc_id
    held = missing_groups("\n".join(docs.values()), conv.keywords)
    # "📄 Sumber: <title> · <link> · diperiksa <date>": the title is what names the document.
    cited = {c.split(" · ")[0].strip() for c in re.findall(r"📄 Sumber:\s*([^\n]+)", str(chain.get("answers") or ""))}
    right = sorted(t for t in titles.values() if t in cited)
    ok = bool(right) and not held
    note = f"cited {', '.join(right) if right else 'none of ' + ', '.join(titles.values())}"
    if held:
        note += f"; the documents lack {[conv.keywords[i][0] for i in held]}"
    return ok, note
