"""Parse messages with the trained Rasa model, NLU only (runs inside `.venv-rasa`, Python 3.10).

    .venv-rasa/bin/python bench/nlu_parse.py models/asisten-kota.tar.gz < in.jsonl > out.jsonl

Each input line is `{"id": ..., "text": ...}`; each output line is
`{"id": ..., "intent": ..., "confidence": ..., "ranking": [[intent, confidence], ...]}` with the
intent after the whole NLU pipeline (classifier, red-flag net, fallback classifier: `nlu_fallback`
when unsure) and the top of the intent ranking. One process loads the model once for all lines.
Texts are never written anywhere but this process's stdout (the caller keeps them in a temp dir).
Standard library plus what Rasa ships: `bench/real_messages.py` calls it as a subprocess.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The pipeline names our own components (citybot.nlu.*): import them from the checkout.
sys.path.insert(0, str(ROOT))
RANKING = 5


def parsed(result: dict[str, Any], ident: str) -> dict[str, Any]:
    intent = result.get("intent") or {}
    ranking = [
        [str(r.get("name")), round(float(r.get("confidence") or 0.0), 4)]
        for r in (result.get("intent_ranking") or [])[:RANKING]
    ]
    return {
        "id": ident,
        "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "ranking": ranking,
    }


async def parse_all(model: str, lines: list[str], out: Any) -> int:
    from rasa.core.agent import Agent

    # Rasa prints progress and warnings while loading; keep stdout for our JSON lines only.
    with contextlib.redirect_stdout(sys.stderr):
        agent = Agent.load(model_path=model)
    count = 0
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        with contextlib.redirect_stdout(sys.stderr):
            result = await agent.parse_message(str(item["text"]))
        out.write(json.dumps(parsed(result, str(item["id"])), ensure_ascii=False) + "\n")
        count += 1
    out.flush()
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    model = str(Path(argv[0]).resolve())
    os.chdir(ROOT)
    lines = sys.stdin.read().splitlines()
    count = asyncio.run(parse_all(model, lines, sys.stdout))
    print(f"parsed {count} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
