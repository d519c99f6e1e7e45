"""The web widget wears the active city's branding: assistant name, colour and logo from its
profile (`cities/<key>/profile.yml`, `branding:`), so one gateway build serves any city."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from citybot.settings import Settings

STATIC = Path(__file__).parent / "static"
LOGO_URL = "/branding/logo.svg"
# Where the widget script takes its branding; the shipped file keeps a neutral default there.
WIDGET_SLOT = "/*BRANDING*/null"

router = APIRouter(include_in_schema=False)


def branding(settings: Settings) -> dict[str, Any]:
    profile = settings.profile
    return {
        "assistant_name": profile.assistant_name,
        "city": profile.name,
        "colour": profile.branding.colour,
        "logo": LOGO_URL,
    }


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/branding.json")
async def branding_json(request: Request) -> JSONResponse:
    return JSONResponse(branding(_settings(request)), headers={"Cache-Control": "max-age=300"})


@router.get(LOGO_URL)
async def logo(request: Request) -> Response:
    path = _settings(request).profile.logo_path
    return FileResponse(path, media_type="image/svg+xml", headers={"Cache-Control": "max-age=300"})


@router.get("/")
async def web_chat(request: Request) -> HTMLResponse:
    brand = branding(_settings(request))
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{assistant_name}}", html.escape(brand["assistant_name"]))
    page = page.replace("{{colour}}", brand["colour"]).replace("{{logo}}", LOGO_URL)
    return HTMLResponse(page)


@router.get("/widget.js")
async def widget_loader(request: Request) -> Response:
    # One script tag on a city website: it opens the chat in an iframe served from here.
    script = (STATIC / "widget.js").read_text(encoding="utf-8")
    data = json.dumps(branding(_settings(request)), ensure_ascii=False).replace("</", "<\\/")
    return Response(
        script.replace(WIDGET_SLOT, data), media_type="text/javascript", headers={"Cache-Control": "max-age=300"}
    )
