"""`python -m citybot.retrieval gaps --since 7d`: the console's gap report for editors who work
in files. Reads the masked unanswered questions from the city backend with an editor's or
supervisor's bearer token (`--token` or BACKEND_AGENT_TOKEN, or `--user` and a password
prompt), or questions from a file (`--from-file`, one a line); prints the groups, or JSON, and
can write each group's stub under a folder laid out like knowledge/ (`--stubs`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from .gaps import DEFAULT_THRESHOLD, KIND_LABELS, GapGroup, Question, grouper_for, stub_path

_SINCE = re.compile(r"^\s*(\d{1,4})\s*([dhj])\s*$", re.IGNORECASE)  # 7d, 24h (j = jam)


def parse_since(value: str) -> dt.timedelta:
    match = _SINCE.match(value)
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError("use a period like 7d or 24h")
    n, unit = int(match.group(1)), match.group(2).lower()
    period = dt.timedelta(days=n) if unit == "d" else dt.timedelta(hours=n)
    if period > dt.timedelta(days=366):
        raise argparse.ArgumentTypeError("at most 366 days")
    return period


async def _fetch(args: argparse.Namespace, since: dt.timedelta) -> list[Question]:
    import getpass

    from citybot.client import CityClient
    from citybot.client.signals import SignalsClient

    token = args.token or os.environ.get("BACKEND_AGENT_TOKEN", "")
    if not token and args.user:
        async with CityClient() as city:
            token = (await city.agent_login(args.user, getpass.getpass(f"password for {args.user}: "))).token
    if not token:
        raise SystemExit("give --token (or BACKEND_AGENT_TOKEN) or --user, or read questions with --from-file")
    days = max(1, math.ceil(since.total_seconds() / 86_400))
    async with SignalsClient() as backend:
        page = await backend.unanswered(token, since_days=days, limit=args.limit)
    start = dt.datetime.now(dt.UTC) - since  # the backend counts whole days; --since 24h is exact here
    return [
        Question(item.text, item.kind, tuple((d.id, d.score) for d in item.closest_docs))
        for item in page.items
        if item.created_at >= start
    ]


def _print(groups: list[GapGroup], total: int, label: str) -> None:
    print(f"{total} pertanyaan belum terjawab ({label}), {len(groups)} kelompok")
    for n, group in enumerate(groups, 1):
        kinds = ", ".join(f"{KIND_LABELS.get(k, k)} {c}" for k, c in group.kinds.items())
        print(f"\n{n}. {group.size} pertanyaan ({kinds})")
        for example in group.examples:
            print(f'   - "{example}"')
        if group.closest_docs:
            near = ", ".join(f"{d.id} ({d.score:.2f})" for d in group.closest_docs)
            print(f"   dokumen terdekat: {near}")
        print(f"   draf: knowledge/{stub_path(group)}")


def cmd_gaps(args: argparse.Namespace) -> int:
    from citybot.client.errors import CityClientError
    from citybot.settings import get_settings

    settings = get_settings()
    since: dt.timedelta = args.since
    if args.from_file:
        lines = Path(args.from_file).read_text(encoding="utf-8").splitlines()
        questions = [Question(line.strip()) for line in lines if line.strip()]
    else:
        try:
            questions = asyncio.run(_fetch(args, since))
        except CityClientError as exc:
            print(f"sistem kota di {settings.backend_base_url} menolak atau tidak menjawab: {exc}", file=sys.stderr)
            return 1
    index = Path(args.index or settings.index_dir)
    grouper = grouper_for(index, settings.embedding_backend, settings.embedding_model)
    today = dt.datetime.now(ZoneInfo(settings.city_timezone)).date()
    groups = grouper.group(questions, threshold=args.threshold, today=today)
    if args.stubs:
        for group in groups:
            path = Path(args.stubs) / stub_path(group)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(group.stub_markdown, encoding="utf-8")
    days_label = (
        f"{since.days} hari terakhir" if since.seconds == 0 else f"{int(since.total_seconds() // 3600)} jam terakhir"
    )
    label = "dari berkas" if args.from_file else days_label
    if args.json:
        since_days = max(1, math.ceil(since.total_seconds() / 86_400))
        out = {"groups": [g.as_json() for g in groups], "total": len(questions), "since_days": since_days}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print(groups, len(questions), label)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser("gaps", help="questions citizens asked that we could not answer, grouped, with stubs")
    g.add_argument("--since", type=parse_since, default=parse_since("7d"), help="period, e.g. 7d or 24h")
    g.add_argument("--json", action="store_true", help="print JSON (the console's format)")
    g.add_argument("--token", help="an editor's or supervisor's backend bearer token")
    g.add_argument("--user", help="log in to the backend as this editor (password prompt)")
    g.add_argument("--from-file", help="group the questions in this file (one a line) instead")
    g.add_argument("--index", help="index for the closest documents (default: settings.index_dir)")
    g.add_argument("--stubs", help="write each group's stub under this folder as <category>/<id>.md")
    g.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="cosine distance to join a group")
    g.add_argument("--limit", type=int, default=2000, help="at most this many questions")
    g.set_defaults(func=cmd_gaps)
