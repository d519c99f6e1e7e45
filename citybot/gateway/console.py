"""Agent console: login, handoff queue, conversations (take over, reply, hand back) and live
updates over SSE. The complaint, booking and knowledge panels are in `console_panels`.

Everything showing a citizen's conversation takes `Staff` (agents and supervisors): an editor
logs in for the knowledge tabs and the gap report only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field

from citybot.client import CityClient
from citybot.client.errors import CityClientError, NotFound, Rejected, Unauthorized
from citybot.gateway import agents, conversations, store, texts
from citybot.gateway.console_csp import console_csp
from citybot.gateway.events import sse_stream
from citybot.gateway.hub import AGENTS_TOPIC, Hub, Recipient
from citybot.gateway.messages import Reply
from citybot.login_throttle import LoginThrottle
from citybot.passwords import check_async, hash_async

log = logging.getLogger(__name__)  # masked process-wide (citybot.privacy)
STATIC = Path(__file__).parent / "static"
COOKIE = "ak_agent"
router = APIRouter(prefix="/agent", include_in_schema=False)


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


async def current_agent(request: Request) -> agents.CurrentAgent:
    token = request.cookies.get(COOKIE)
    if not token:
        raise HTTPException(status_code=401, detail="login required")
    agent = await _hub(request).run_db(lambda s: agents.current(s, token))
    if agent is None:
        raise HTTPException(status_code=401, detail="session expired")
    return agent


async def console_write(x_requested_with: Annotated[str | None, Header()] = None) -> None:
    """Changes need a header a cross-site form cannot send (with SameSite=Strict cookies)."""
    if x_requested_with != "agent-console":
        raise HTTPException(status_code=403, detail="missing X-Requested-With")


async def casework_agent(agent: Annotated[agents.CurrentAgent, Depends(current_agent)]) -> agents.CurrentAgent:
    """Routes that show citizens' conversations, complaints or bookings refuse editors."""
    if not agent.does_casework:
        raise HTTPException(status_code=403, detail="Peran editor tidak dapat melihat data warga.")
    return agent


Agent = Annotated[agents.CurrentAgent, Depends(current_agent)]
Staff = Annotated[agents.CurrentAgent, Depends(casework_agent)]
Write = Depends(console_write)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class AgentIn(BaseModel):
    username: str = Field(min_length=3, max_length=60, pattern=r"^[a-z0-9._-]+$")
    password: str = Field(min_length=10, max_length=200)
    role: Literal["agent", "supervisor", "editor"] = "agent"


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


def _city(request: Request) -> CityClient:
    settings = _hub(request).settings
    return CityClient(settings.backend_base_url, settings.backend_api_key, timeout=settings.http_timeout_seconds)


@router.get("", include_in_schema=False)
async def console_page(request: Request) -> FileResponse:
    csp = console_csp(request.app.state.settings)
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": csp}
    return FileResponse(STATIC / "agent.html", media_type="text/html", headers=headers)


def _too_many(retry_after: int) -> HTTPException:
    minutes = max(1, round(retry_after / 60))
    return HTTPException(
        status_code=429,
        headers={"Retry-After": str(retry_after)},
        detail=f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
    )


@router.post("/api/login", dependencies=[Write])
async def login(body: LoginIn, request: Request, response: Response) -> dict[str, Any]:
    hub = _hub(request)
    throttle: LoginThrottle = request.app.state.login_throttle
    # The client address is the proxy's client only when the proxy is trusted (app.py).
    keys = throttle.keys(body.username, request.client.host if request.client else None)
    if (wait := throttle.retry_after(*keys)) is not None:
        raise _too_many(wait)
    account = await hub.run_db(lambda s: agents.find(s, body.username))
    # Unknown and deactivated accounts cost one hash too, and answer like a wrong password.
    usable = account if account is not None and account.active else None
    checked = await check_async(body.password, usable.password_hash if usable else None)
    if usable is None or not checked.ok:
        throttle.failed(*keys)
        raise HTTPException(status_code=401, detail="Nama pengguna atau kata sandi salah.")
    throttle.succeeded(keys[0])
    if checked.rehash is not None:  # an old scrypt hash becomes Argon2id now that we know the password
        new_hash = checked.rehash
        await hub.run_db(lambda s: agents.store_rehash(s, usable.id, usable.password_hash, new_hash))
    ttl = dt.timedelta(hours=hub.settings.agent_session_hours)
    token, agent = await hub.run_db(lambda s: agents.open_session(s, usable, ttl))
    backend_token = await _backend_login(request, body.username, body.password)
    await hub.run_db(lambda s: agents.set_backend_token(s, token, backend_token))
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(ttl.total_seconds()),
        path="/agent",
    )
    return {
        "username": agent.username,
        "role": agent.role,
        "city_panels": backend_token is not None,
        "timezone": hub.settings.city_timezone,
    }


# The backend seeds its bootstrap account as "supervisor" with the same AGENT_BOOTSTRAP_PASSWORD.
_BACKEND_ALIASES = {"admin": "supervisor"}


async def _backend_login(request: Request, username: str, password: str) -> str | None:
    """The city backend keeps its own agent accounts; the same credentials unlock its panels."""
    names = [username] + ([_BACKEND_ALIASES[username]] if username in _BACKEND_ALIASES else [])
    async with _city(request) as city:
        for name in names:
            try:
                return (await city.agent_login(name, password)).token
            except CityClientError as exc:
                log.info("backend agent login for %s failed: %s", name, type(exc).__name__)
                if not isinstance(exc, (Unauthorized, Rejected, NotFound)):
                    return None  # backend down: no point trying the alias
    return None


async def _revoke_backend(request: Request, tokens: list[str]) -> None:
    """The backend token dies with the console session (best effort: it expires anyway)."""
    if not tokens:
        return
    async with _city(request) as city:
        for backend_token in tokens:
            try:
                await city.agent_logout(backend_token)
            except CityClientError as exc:
                log.warning("backend token not revoked: %s", type(exc).__name__)


@router.post("/api/logout", dependencies=[Write])
async def logout(request: Request, response: Response) -> dict[str, str]:
    token = request.cookies.get(COOKIE)
    if token:
        backend_token = await _hub(request).run_db(lambda s: agents.logout(s, token))
        await _revoke_backend(request, [backend_token] if backend_token else [])
    response.delete_cookie(COOKIE, path="/agent")
    return {"status": "ok"}


@router.get("/api/me")
async def me(request: Request, agent: Agent) -> dict[str, Any]:
    return {
        "username": agent.username,
        "role": agent.role,
        "city_panels": agent.backend_token is not None,
        "timezone": _hub(request).settings.city_timezone,
    }


@router.post("/api/agents", dependencies=[Write])
async def create_agent(body: AgentIn, request: Request, agent: Agent) -> dict[str, str]:
    """Supervisors create or reset console accounts (Argon2id hashes); a reset ends the
    account's sessions, console and backend alike."""
    if not agent.is_supervisor:
        raise HTTPException(status_code=403, detail="Hanya supervisor yang dapat mengelola akun.")
    password_hash = await hash_async(body.password)
    row, revoked = await _hub(request).run_db(lambda s: agents.upsert_agent(s, body.username, password_hash, body.role))
    await _revoke_backend(request, revoked)
    return {"username": row.username, "role": row.role}


@router.post("/api/agents/{username}/deactivate", dependencies=[Write])
async def deactivate_agent(username: str, request: Request, agent: Agent) -> dict[str, str]:
    """Supervisors lock an account out: no new login, and its open sessions end now."""
    if not agent.is_supervisor:
        raise HTTPException(status_code=403, detail="Hanya supervisor yang dapat mengelola akun.")
    if username == agent.username:
        raise HTTPException(status_code=409, detail="Akun Anda sendiri tidak dapat dinonaktifkan.")
    revoked = await _hub(request).run_db(lambda s: agents.deactivate(s, username))
    if revoked is None:
        raise HTTPException(status_code=404, detail="Akun tidak ditemukan.")
    await _revoke_backend(request, revoked)
    return {"username": username, "status": "inactive"}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("/api/queue")
async def queue(request: Request, agent: Staff) -> dict[str, Any]:
    items = await _hub(request).run_db(conversations.open_queue)
    return {
        "items": [
            {
                "sender": i.sender,
                "channel": i.channel,
                "state": i.state,
                "summary": i.summary,
                "reason": i.reason,
                "agent": i.agent,
                "requested_at": _iso(i.requested_at),
                "next_open": _iso(i.next_open),
                "name": i.display_name,
                "last_text": i.last_text,
            }
            for i in items
        ]
    }


@router.get("/api/conversations/{sender}")
async def conversation(sender: str, request: Request, agent: Staff) -> dict[str, Any]:
    def read(session: Any) -> dict[str, Any]:
        known = store.get_sender(session, sender)
        conv = session.get(conversations.Conversation, sender)
        if known is None and conv is None:
            raise conversations.ConversationError("not_found", "Percakapan tidak ditemukan.", 404)
        messages = store.history(session, sender)
        return {
            "sender": sender,
            "channel": known.channel if known else conv.channel,
            "name": known.display_name if known else "",
            "state": conv.state if conv else "bot",
            "agent": conv.agent if conv else None,
            "summary": conv.summary if conv else "",
            "reason": conv.reason if conv else "",
            "messages": [
                {
                    "id": m.id,
                    "direction": m.direction,
                    "author": m.author,
                    "text": m.text,
                    "at": m.created_at.isoformat(),
                    "data": m.data,
                }
                for m in messages
            ],
        }

    return await _run(request, read)


async def _run(request: Request, fn: Any) -> Any:
    try:
        return await _hub(request).run_db(fn)
    except conversations.ConversationError as exc:
        raise HTTPException(status_code=exc.status_code, detail=exc.message) from exc


async def _tell_citizen(hub: Hub, sender: str, text: str, author: str, agent: str | None = None) -> None:
    recipient: Recipient | None = await hub.recipient(sender)
    if recipient is not None:
        # `custom` lets the web widget label the bubble; Telegram and WhatsApp show the text only.
        custom = {"from": "agent", "agent": agent} if agent else None
        await hub.queue(sender, recipient.channel, "agent", [Reply(text=text, custom=custom)], author=author)


@router.post("/api/conversations/{sender}/take", dependencies=[Write])
async def take(sender: str, request: Request, agent: Staff) -> dict[str, str]:
    hub = _hub(request)
    await _run(request, lambda s: conversations.take_over(s, sender, agent.username))
    await _tell_citizen(hub, sender, texts.AGENT_JOINED.format(agent=agent.username), "system", agent.username)
    hub.broker.publish(AGENTS_TOPIC, {"type": "queue", "sender": sender, "state": "agent", "agent": agent.username})
    return {"state": "agent"}


@router.post("/api/conversations/{sender}/reply", dependencies=[Write])
async def reply(sender: str, body: ReplyIn, request: Request, agent: Staff) -> dict[str, str]:
    hub = _hub(request)
    await _run(request, lambda s: conversations.require_agent_owner(s, sender, agent.username))
    await _tell_citizen(hub, sender, body.text.strip(), f"agent:{agent.username}", agent.username)
    return {"status": "queued"}


@router.post("/api/conversations/{sender}/release", dependencies=[Write])
async def release(sender: str, request: Request, agent: Staff) -> dict[str, str]:
    hub = _hub(request)
    await _run(request, lambda s: conversations.hand_back(s, sender, agent.username, agent.is_supervisor))
    await _tell_citizen(hub, sender, texts.AGENT_LEFT, "system")
    hub.broker.publish(AGENTS_TOPIC, {"type": "queue", "sender": sender, "state": "bot"})
    return {"state": "bot"}


@router.get("/api/events")
async def events(request: Request, agent: Staff) -> StreamingResponse:
    hub = _hub(request)
    queue_ = hub.broker.subscribe(AGENTS_TOPIC)

    async def frames() -> AsyncIterator[str]:
        try:
            async for frame in sse_stream(request, queue_, [{"type": "hello", "agent": agent.username}]):
                yield frame
        finally:
            hub.broker.unsubscribe(AGENTS_TOPIC, queue_)

    return StreamingResponse(
        frames(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
