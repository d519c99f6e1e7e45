"""Real-message benchmark (issue 18): real citizens' first messages through the real stack.

    .venv/bin/python bench/real_messages.py --split dev                 # starts a fresh stack in a temp dir
    .venv/bin/python bench/real_messages.py --split held_out --gateway http://127.0.0.1:8080   # a running `make run`
    .venv/bin/python bench/real_messages.py --split dev --show-misses   # also print the misses (terminal only)

Each message of a YAML list of `{id, text, label}` (default `../shared/real_dev/messages.yml`,
labels: complaint_new, emergency, permit_question, health_question, transport_question,
out_of_scope) is sent as the FIRST message of a fresh web conversation (a new random sender per
message) through the gateway's web API (`tests.stack.say`). What the assistant did is read from
its replies: every reply is matched against the response variants of `bot/domain/*.yml` (and of
the trained model's domain), with `{placeholders}` as wildcards, which gives the response keys of
the turn; OUTCOME_BY_KEY / OUTCOME_BY_PREFIX below map keys to outcomes (complaint form,
knowledge answer, emergency guidance, clarifying question, refusal, data-rights flow, ...).
A reply that matches no response, or a key that has no outcome, makes the turn `other`, and the
count is printed: fix the tables, do not hide it.

Fit (FIT below): complaint_new -> complaint form; emergency -> emergency guidance (nothing else
counts, not even half); permit/health/transport question -> knowledge answer or an honest "I do
not have that" naming the official channel; out_of_scope -> polite refusal (or that honest
"ask X instead"); a clarifying question counts half; emergency guidance for a message that is
not an emergency counts zero.

NLU-only figures on the same messages: `bench/nlu_parse.py` runs in `.venv-rasa` with the trained
model; intents are mapped to labels by INTENT_LABEL, question intents by the category of the top
knowledge hit.

Texts never leave this process except to the stack, the NLU subprocess (through a temp dir)
and, with --show-misses / --show-all, the terminal: var/results/real_messages.json holds ids,
labels, outcomes and response keys only (the sources' licences do not allow copying texts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import machine, md_table, percentile, stack_or_gateway, stale_model_warning  # noqa: E402

DEFAULT_MESSAGES = ROOT.parent / "shared" / "real_dev" / "messages.yml"
DEFAULT_SPLIT_FILE = ROOT / "bench" / "real_split.yml"
DEFAULT_DISAGREEMENTS = ROOT / "bench" / "real_label_disagreements.yml"
RESULTS = ROOT / "var" / "results" / "real_messages.json"
MODEL = ROOT / "models" / "asisten-kota.tar.gz"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

LABELS = (
    "complaint_new", "emergency", "permit_question", "health_question", "transport_question", "out_of_scope",
)
QUESTION_LABELS = ("permit_question", "health_question", "transport_question")

# ---------------------------------------------------------------------------------------------
# Outcomes: what the assistant did on the first turn. Extend these tables when responses are
# added to bot/domain (an unmapped key shows up as `other` and is listed after the tables).
# ---------------------------------------------------------------------------------------------
FRAGMENT = "<fragment>"  # parts of other messages (button titles, list lines): never a reply of their own

# Turn outcome when several responses were sent: the first in this order wins.
OUTCOME_PRIORITY = (
    "emergency",             # emergency guidance (112/119/113/110/115 ...)
    "data_rights",           # "lihat/hapus data saya" flow opened
    "complaint_form",        # complaint form started (or any of its questions)
    "homecare",              # HomeCare booking / everyday health complaint advice
    "knowledge_answer",      # an answer retrieved from knowledge/, with its source title
    "no_knowledge_channel",  # honest "I do not have that" that names the official channel
    "permit_status",         # permit application status by number (asks for the number)
    "complaint_status",      # status of an earlier complaint / "sudah beres?"
    "catalogue",             # Smart Kampung product search
    "handoff",               # handed to a human agent
    "refusal",               # polite "out of my scope"
    "clarify",               # clarifying question, "maksudnya ...?" with options, please rephrase
    "error",                 # system busy / retrieval unavailable / HTTP error: not a judgement of understanding
    "greeting_only",         # greeting, menu, small talk, thanks
)
OUTCOMES = (*OUTCOME_PRIORITY, "other")

OUTCOME_BY_KEY: dict[str, str] = {
    # emergency
    "utter_darurat": "emergency",
    # knowledge
    "utter_jawaban": "knowledge_answer",
    "utter_apakah_terjawab": "knowledge_answer",
    "utter_senang_membantu": "greeting_only",
    "utter_belum_yakin_jawaban": "clarify",       # "belum yakin, maksud Anda salah satu topik ini?" + titles
    "utter_kandidat_lain": "clarify",
    "utter_tidak_ada_kandidat": "clarify",
    "utter_jawaban_tidak_ditemukan": "no_knowledge_channel",  # "belum ada di catatan saya" + official channels
    "utter_tanya_layanan_segera": "clarify",      # "silakan tulis pertanyaan Anda"
    "utter_tanya_topik": "clarify",
    "utter_bukan_laporan": "clarify",             # "bukan laporan, ini jawabannya": the answer that follows wins
    "utter_bukan_laporan_silakan": "clarify",
    "utter_jawaban_tidak_tersedia": "error",      # retrieval down or over its time limit
    # general
    "utter_selamat_datang": "greeting_only",      # session start: precedes every first reply
    "utter_salam": "greeting_only",
    "utter_menu": "greeting_only",
    "utter_selamat_tinggal": "greeting_only",
    "utter_terima_kasih_kembali": "greeting_only",
    "utter_sama_sama_singkat": "greeting_only",
    "utter_out_of_scope": "refusal",
    # a service this city does not run: who runs it and what this city has instead
    "utter_layanan_kota_lain": "no_knowledge_channel",
    "utter_layanan_belum_ada": "no_knowledge_channel",
    "utter_tawarkan_pilihan": "clarify",
    "utter_minta_ulang": "clarify",
    "utter_gangguan_sistem": "error",
    # data rights
    "utter_konfirmasi_ekspor_data": "data_rights",
    "utter_konfirmasi_hapus_data": "data_rights",
    "utter_data_kosong_isian": FRAGMENT,
    # HomeCare
    "utter_keluhan_kesehatan": "homecare",
    "utter_keluhan_kesehatan_tanpa_homecare": "homecare",
    "utter_ask_kode_booking": "homecare",
    "utter_pilih_jadwal_tanpa_pesanan": "homecare",
    "utter_hc_umur_label": FRAGMENT,
    "utter_hc_umur_bayi": FRAGMENT,
    # permits
    "utter_ask_nomor_izin": "permit_status",
    "utter_izin_catatan": FRAGMENT,
    "utter_izin_belum_ada_perkiraan": FRAGMENT,
    # complaint form pieces
    "utter_pengaduan_tombol_petugas": FRAGMENT,
    "utter_pengaduan_tombol_batal": FRAGMENT,
    "utter_pengaduan_foto_ada": FRAGMENT,
    "utter_pengaduan_foto_tidak_ada": FRAGMENT,
    "utter_pengaduan_pelapor_anonim": FRAGMENT,
    "utter_pengaduan_status_antrean": FRAGMENT,
    # catalogue pieces
    "utter_produk_baris": FRAGMENT,
    "utter_produk_pengantar": FRAGMENT,
    "utter_produk_pengantar_alternatif": FRAGMENT,
    "utter_produk_penutup_lagi": FRAGMENT,
    "utter_produk_penutup_habis": FRAGMENT,
    "utter_produk_pesan_wa": FRAGMENT,
    "utter_produk_tanpa_batas_harga": FRAGMENT,
    "utter_produk_tanpa_desa": FRAGMENT,
    "utter_produk_tanpa_kata": FRAGMENT,
    "utter_tombol_petugas": FRAGMENT,
    "utter_pilihan_lainnya": FRAGMENT,
    # texts the gateway sends itself (citybot/gateway/texts.py)
    "gateway:NO_ANSWER": "clarify",
    "gateway:BUSY": "error",
    "gateway:RATE_LIMITED": "error",
    "gateway:UNREADABLE": "error",
    "gateway:NOT_SUPPORTED": "error",
    "gateway:EMPTY_MESSAGE": "error",
    "gateway:TOO_LONG": "error",
    "gateway:PHOTO_FAILED": "error",
    "gateway:COMPLAINTS_LIMITED": "error",
    "gateway:LOOKUPS_LIMITED": "error",
    "gateway:NETWORK_BUSY": "error",
    "gateway:PHOTOS_LIMITED": "error",
    "gateway:PHOTO_TOO_LARGE": "error",
    "gateway:TOO_LARGE": "error",
    "gateway:STATUS_CHANGED": "complaint_status",
    "gateway:STATUS_RESOLVED_QUESTION": "complaint_status",
    "gateway:AGENT_JOINED": "handoff",
    "gateway:AGENT_LEFT": "handoff",
    "gateway:BUTTON_RESOLVED": FRAGMENT,
    "gateway:BUTTON_NOT_RESOLVED": FRAGMENT,
    "gateway:CHOOSE": FRAGMENT,
    "gateway:LIST_BUTTON": FRAGMENT,
}

# Longest matching prefix wins; OUTCOME_BY_KEY is checked first.
OUTCOME_BY_PREFIX: dict[str, str] = {
    "utter_darurat": "emergency",                 # typed emergencies (utter_darurat_bencana, ...) and
                                                  # the offer to record a report after the safety message
    "utter_judul_": FRAGMENT,                     # button titles
    "utter_topik_": FRAGMENT,
    "utter_syarat_": FRAGMENT,
    "utter_ask_pengaduan_": "complaint_form",
    "utter_pengaduan_": "complaint_form",
    "utter_status_": "complaint_status",
    "utter_penyelesaian_": "complaint_status",
    "utter_data_bagian_": FRAGMENT,
    "utter_data_baris_": FRAGMENT,
    "utter_data_": "data_rights",
    "utter_ask_hc_": "homecare",
    "utter_hc_": "homecare",
    "utter_homecare": "homecare",
    "utter_izin_": "permit_status",
    "utter_produk_": "catalogue",
    "utter_petugas_alasan_": FRAGMENT,            # the summary sent to the agent, not to the citizen
    "utter_petugas_": "handoff",
    "utter_chitchat/": "greeting_only",
    "utter_menu_": FRAGMENT,                      # menu lines and buttons, offered per city
    "utter_nama_layanan_": FRAGMENT,
    "utter_daftar_": FRAGMENT,
    "utter_alternatif_": FRAGMENT,                # follows utter_layanan_kota_lain
}

# Fit of an outcome for a label (missing = 0). Emergency guidance fits only an emergency, and an
# emergency is fitted only by emergency guidance (a clarifying question does not count half there).
_QUESTION_FIT = {"knowledge_answer": 1.0, "no_knowledge_channel": 1.0, "clarify": 0.5}
FIT: dict[str, dict[str, float]] = {
    "complaint_new": {"complaint_form": 1.0, "clarify": 0.5},
    "emergency": {"emergency": 1.0},
    "permit_question": dict(_QUESTION_FIT),
    "health_question": dict(_QUESTION_FIT),
    "transport_question": dict(_QUESTION_FIT),
    "out_of_scope": {"refusal": 1.0, "no_knowledge_channel": 1.0, "clarify": 0.5},
}

# ---------------------------------------------------------------------------------------------
# NLU-only: intent -> label. Question intents get a question label from the top knowledge hit.
# ---------------------------------------------------------------------------------------------
QUESTION = "<question>"
INTENT_LABEL: dict[str, str] = {
    "darurat": "emergency",
    "lapor_pengaduan": "complaint_new",
    "cek_status_laporan": "complaint_new",
    "kirim_lokasi": "complaint_new",
    "kirim_foto": "complaint_new",
    "kirim_pengaduan": "complaint_new",
    "ubah_pengaduan": "complaint_new",
    "sudah_beres": "complaint_new",
    "belum_beres": "complaint_new",
    "tanya_layanan": QUESTION,
    "cek_izin": QUESTION,
    "keluhan_kesehatan": QUESTION,
    "pesan_homecare": QUESTION,
    "batal_homecare": QUESTION,
    "ubah_jadwal_homecare": QUESTION,
    "pilih_jadwal": QUESTION,
    "lihat_data_saya": "data_rights",             # never a label: always wrong on this data
    "hapus_data_saya": "data_rights",
    "nlu_fallback": "nlu_fallback",               # below the fallback threshold: always wrong
}
NLU_DEFAULT_LABEL = "out_of_scope"  # salam, chitchat, out_of_scope, terima_kasih, cari_produk, ya, tidak, ...
CATEGORY_LABEL = {"perizinan": "permit_question", "kesehatan": "health_question", "transportasi": "transport_question"}
CATEGORY_DEFAULT_LABEL = "permit_question"


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    id: str
    text: str
    label: str


def load_messages(path: Path) -> list[Message]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    messages = []
    for item in items:
        label = str(item["label"])
        if label not in LABELS:
            raise ValueError(f"{path}: {item.get('id')}: unknown label {label!r}")
        messages.append(Message(str(item["id"]), str(item["text"]), label))
    ids = [m.id for m in messages]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate ids")
    return messages


def select_split(messages: list[Message], split: str, split_file: Path) -> list[Message]:
    if split == "all":
        return messages
    splits = yaml.safe_load(split_file.read_text(encoding="utf-8")) or {}
    if split not in splits:
        raise ValueError(f"{split_file} has no split {split!r} (has: {', '.join(splits)})")
    wanted = {str(i) for i in splits[split]}
    chosen = [m for m in messages if m.id in wanted]
    missing = wanted - {m.id for m in chosen}
    if missing:
        print(f"warning: {len(missing)} ids of split {split!r} are not in the messages file", file=sys.stderr)
    return chosen


def load_disagreements(path: Path) -> dict[str, str] | None:
    """Our label where we disagree with the annotator (id -> label); None when the file is absent."""
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping id -> label")
    for ident, label in data.items():
        if label not in LABELS:
            raise ValueError(f"{path}: {ident}: unknown label {label!r}")
    return {str(k): str(v) for k, v in data.items()}


# ---------------------------------------------------------------------------------------------
# Reply classifier
# ---------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Template:
    key: str
    regex: re.Pattern[str]
    literal: int  # characters of fixed text: the more, the more specific the match
    names: tuple[str, ...]
    anchors: tuple[str, ...]  # its fixed pieces: a cheap test before the regex


def compile_template(key: str, text: str) -> Template | None:
    """A response variant as a regex; `{name}` matches anything. None for a bare placeholder."""
    pieces = _PLACEHOLDER.split(text)
    literals, names = pieces[0::2], tuple(pieces[1::2])
    literal = sum(len(normalise(p)) for p in literals)
    if literal < 2:
        return None
    parts: list[str] = []
    for i, piece in enumerate(literals):
        parts.append(r"\s*".join(re.escape(word) for word in piece.split()))
        if i < len(names):
            parts.append(r"\s*(.*?)\s*")
    anchors = tuple(w for p in literals for w in p.split() if len(w) > 3)
    return Template(key, re.compile("".join(parts), re.DOTALL), literal, names, anchors)


def responses_from_domain_files(paths: Iterable[Path]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, variants in (data.get("responses") or {}).items():
            found[str(key)].extend(v for v in variants or [] if isinstance(v, dict))
    return dict(found)


def responses_from_model(model: Path) -> dict[str, list[dict[str, Any]]]:
    """The responses the trained model was built with (its domain is in metadata.json)."""
    if not model.exists():
        return {}
    with tarfile.open(model) as tar:
        for member in tar.getmembers():
            if member.name.rsplit("/", 1)[-1] == "metadata.json":
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                domain = json.load(handle).get("domain") or {}
                responses = domain.get("responses") or {}
                return {str(k): [v for v in vs if isinstance(v, dict)] for k, vs in responses.items()}
    return {}


def gateway_responses() -> dict[str, list[dict[str, Any]]]:
    from citybot.gateway import texts

    return {
        f"gateway:{name}": [{"text": value}]
        for name, value in vars(texts).items()
        if name.isupper() and isinstance(value, str)
    }


def default_responses(model: Path | None = MODEL) -> dict[str, list[dict[str, Any]]]:
    """bot/domain/*.yml, plus the trained model's own responses, plus the gateway's texts."""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sources = [responses_from_domain_files(sorted((ROOT / "bot" / "domain").glob("*.yml"))), gateway_responses()]
    if model is not None:
        sources.append(responses_from_model(model))
    for source in sources:
        for key, variants in source.items():
            for variant in variants:
                if variant not in merged[key]:
                    merged[key].append(variant)
    return dict(merged)


def outcome_of_key(key: str) -> str | None:
    """The outcome a response key stands for, FRAGMENT, or None when the tables do not know it."""
    if key in OUTCOME_BY_KEY:
        return OUTCOME_BY_KEY[key]
    best = max((p for p in OUTCOME_BY_PREFIX if key.startswith(p)), key=len, default=None)
    return OUTCOME_BY_PREFIX[best] if best else None


@dataclass
class Classified:
    outcome: str
    keys: list[str] = field(default_factory=list)      # one per response; "?" = a reply that matched none
    unmatched: int = 0                                  # replies that matched no response variant
    unmapped: list[str] = field(default_factory=list)   # keys with no outcome in the tables
    source: str | None = None                           # knowledge answer: the source title


# Rasa's REST channel sends a text response without buttons as one message per paragraph
# (`text.split("\n\n")`), so one response can arrive as several consecutive replies.
MAX_PARTS = 20


@dataclass(frozen=True)
class Match:
    key: str
    values: dict[str, str]
    literal: int


class ReplyClassifier:
    def __init__(self, responses: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        self.templates: list[Template] = []
        for key, variants in responses.items():
            if outcome_of_key(key) == FRAGMENT:
                continue
            for variant in variants:
                text = variant.get("text")
                if not text:
                    continue
                template = compile_template(key, str(text))
                if template is not None:
                    self.templates.append(template)
        self.templates.sort(key=lambda t: -t.literal)

    def match(self, text: str) -> Match | None:
        """The most specific response whose variant matches the whole text, with its values."""
        cleaned = normalise(text)
        for template in self.templates:  # most literal text first
            if not all(anchor in cleaned for anchor in template.anchors):
                continue
            found = template.regex.fullmatch(cleaned)
            if found:
                values = dict(zip(template.names, (normalise(g) for g in found.groups()), strict=True))
                return Match(template.key, values, template.literal)
        return None

    def segment(self, replies: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, Match | None]]:
        """Replies grouped into responses: fewest unmatched replies, then the most fixed text matched."""
        texts = [str(r.get("text") or "") for r in replies]
        buttons = [bool(r.get("buttons")) for r in replies]
        n = len(texts)
        best: list[tuple[int, int, list[tuple[int, int, Match | None]]] | None] = [None] * (n + 1)
        best[0] = (0, 0, [])

        def offer(j: int, candidate: tuple[int, int, list[tuple[int, int, Match | None]]]) -> None:
            current = best[j]
            if current is None or candidate[:2] < current[:2]:
                best[j] = candidate

        for i in range(n):
            state = best[i]
            if state is None:
                continue
            unmatched, negative_literal, segments = state
            offer(i + 1, (unmatched + 1, negative_literal, [*segments, (i, i + 1, None)]))
            for j in range(i + 1, min(n, i + MAX_PARTS) + 1):
                if texts[j - 1] == "" or (j - 1 > i and buttons[j - 2]):
                    break  # only the last part of a response may carry buttons
                found = self.match("\n\n".join(texts[i:j]))
                if found is not None:
                    offer(j, (unmatched, negative_literal - found.literal, [*segments, (i, j, found)]))
        final = best[n]
        assert final is not None
        return final[2]

    def classify(self, replies: Sequence[Mapping[str, Any]]) -> Classified:
        result = Classified(outcome="other")
        outcomes: set[str] = set()
        for _start, _end, found in self.segment(replies):
            if found is None:
                result.keys.append("?")
                result.unmatched += 1
                continue
            result.keys.append(found.key)
            outcome = outcome_of_key(found.key)
            if outcome is None:
                result.unmapped.append(found.key)
                continue
            outcomes.add(outcome)
            if outcome == "knowledge_answer" and "sumber" in found.values:
                result.source = found.values["sumber"]
        best = next((o for o in OUTCOME_PRIORITY if o in outcomes), None)
        if best is None or (best == "greeting_only" and (result.unmatched or result.unmapped)):
            best = "other"
        result.outcome = best
        return result


def fit(label: str, outcome: str) -> float:
    return FIT[label].get(outcome, 0.0)


# ---------------------------------------------------------------------------------------------
# Driving the stack
# ---------------------------------------------------------------------------------------------
@dataclass
class Turn:
    id: str
    replies: list[dict[str, Any]] | None
    error: str | None
    seconds: float


@contextmanager
def gateway_url(given: str | None) -> Iterator[str]:
    """The given gateway, or a fresh stack (backend, actions, Rasa, gateway) in a temp dir."""
    with stack_or_gateway(given, "real-messages-") as (url, _stack):
        yield url


def send(url: str, message: Message, timeout: float) -> Turn:
    from tests.stack import say

    start = time.perf_counter()
    sender = f"bench-real-{uuid.uuid4().hex}"
    try:
        replies = say(url, sender, message.text, timeout=timeout)
        return Turn(message.id, replies, None, time.perf_counter() - start)
    except Exception as exc:  # any failure is one `error` turn; the run goes on
        # Only the kind of failure and the HTTP status: an error body could echo the message text.
        reason = str(exc).split(":", 1)[0][:40]
        return Turn(message.id, None, f"{type(exc).__name__}: {reason}", time.perf_counter() - start)


def warm_up(url: str, classifier: ReplyClassifier, timeout: float) -> list[str]:
    """Our own messages first, so a cold retrieval index or model is not billed to real ones."""
    done = []
    for text in ("apa syarat membuat KTP elektronik?", "mau lapor jalan rusak", "halo"):
        for _attempt in range(3):
            turn = send(url, Message("warm-up", text, "out_of_scope"), timeout)
            outcome = classifier.classify(turn.replies).outcome if turn.replies is not None else "error"
            if outcome != "error":
                break
            time.sleep(5)
        done.append(f"{text!r} -> {outcome} ({turn.seconds:.1f} s)")
    return done


def run_turns(url: str, messages: Sequence[Message], concurrency: int, timeout: float) -> dict[str, Turn]:
    turns: dict[str, Turn] = {}
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for i, turn in enumerate(pool.map(lambda m: send(url, m, timeout), messages), start=1):
            turns[turn.id] = turn
            if i % 25 == 0 or i == len(messages):
                print(f"  {i}/{len(messages)} sent", file=sys.stderr, flush=True)
    return turns


# ---------------------------------------------------------------------------------------------
# Scores and tables
# ---------------------------------------------------------------------------------------------
@dataclass
class Row:
    id: str
    label: str
    outcome: str
    keys: list[str]
    source: str | None
    seconds: float
    error: str | None = None


def fit_summary(rows: Sequence[Row], labels_of: Mapping[str, str]) -> dict[str, Any]:
    """Per-label counts and fit, macro average, emergency recall and false alarms."""
    by_label: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_label[labels_of[row.id]].append(row)
    per_label: dict[str, Any] = {}
    for label in LABELS:
        group = by_label.get(label, [])
        if not group:
            continue
        counts = Counter(r.outcome for r in group)
        score = sum(fit(label, r.outcome) for r in group) / len(group)
        instead = Counter(r.outcome for r in group if fit(label, r.outcome) < 1.0)
        per_label[label] = {"n": len(group), "outcomes": dict(counts), "fit": round(score, 4),
                            "instead": dict(instead.most_common())}
    emergencies = by_label.get("emergency", [])
    complaints = by_label.get("complaint_new", [])
    return {
        "labels": per_label,
        "macro_fit": round(sum(v["fit"] for v in per_label.values()) / len(per_label), 4) if per_label else None,
        "micro_fit": round(sum(fit(labels_of[r.id], r.outcome) for r in rows) / len(rows), 4) if rows else None,
        "emergency_recall": round(sum(r.outcome == "emergency" for r in emergencies) / len(emergencies), 4)
        if emergencies else None,
        "complaints_as_emergency": round(sum(r.outcome == "emergency" for r in complaints) / len(complaints), 4)
        if complaints else None,
        "non_emergency_as_emergency": sum(r.outcome == "emergency" for r in rows if labels_of[r.id] != "emergency"),
        "data_rights_opened": sum(r.outcome == "data_rights" for r in rows),
        "data_rights_by_label": dict(Counter(labels_of[r.id] for r in rows if r.outcome == "data_rights")),
        "other": sum(r.outcome == "other" for r in rows),
        "errors": sum(r.outcome == "error" for r in rows),
    }


def fit_tables(summary: Mapping[str, Any]) -> str:
    per_label = summary["labels"]
    used = [o for o in OUTCOMES if any(o in v["outcomes"] for v in per_label.values())]
    counts = md_table(
        ["label", "n", *used, "fit"],
        [[label, v["n"], *[v["outcomes"].get(o, 0) or "" for o in used], f"{v['fit']:.2f}"]
         for label, v in per_label.items()],
        right=range(1, len(used) + 3),
    )
    instead = md_table(
        ["label", "n", "fitting first reply", "what the assistant did instead"],
        [[label, v["n"], f"{v['fit']:.2f}", ", ".join(f"{n} {o}" for o, n in v["instead"].items()) or "-"]
         for label, v in per_label.items()],
        right=(1, 2),
    )

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    by_label = ", ".join(f"{n} {label}" for label, n in summary["data_rights_by_label"].items())
    lines = [
        counts, "", instead, "",
        f"- macro fitting first reply: **{pct(summary['macro_fit'])}** (micro {pct(summary['micro_fit'])})",
        f"- emergency recall: **{pct(summary['emergency_recall'])}**; complaints raised as emergencies: "
        f"**{pct(summary['complaints_as_emergency'])}**; non-emergencies raised as emergencies: "
        f"{summary['non_emergency_as_emergency']}",
        f"- data-rights flows opened: **{summary['data_rights_opened']}**" + (f" ({by_label})" if by_label else ""),
        f"- `other` (reply classifier did not recognise the turn): {summary['other']}; "
        f"`error` (system busy, retrieval unavailable, HTTP failure): {summary['errors']}",
    ]
    return "\n".join(lines)


def knowledge_categories() -> dict[str, str]:
    """Knowledge title -> category, to see whether an answer came from the question's topic."""
    from citybot.retrieval import load_knowledge

    knowledge = load_knowledge(ROOT / "knowledge")
    return {normalise(p.title): p.category for p in knowledge.passages}


def off_topic_answers(rows: Sequence[Row], labels_of: Mapping[str, str], categories: Mapping[str, str]) -> Counter[str]:
    wanted = {label: category for category, label in CATEGORY_LABEL.items()}
    off: Counter[str] = Counter()
    for row in rows:
        label = labels_of[row.id]
        if row.outcome == "knowledge_answer" and label in wanted and row.source:
            if categories.get(row.source) not in (None, wanted[label]):
                off[label] += 1
    return off


# ---------------------------------------------------------------------------------------------
# NLU only
# ---------------------------------------------------------------------------------------------
def nlu_parse(messages: Sequence[Message], model: Path, python: Path) -> dict[str, dict[str, Any]]:
    """Intent per message from the trained model (bench/nlu_parse.py in Rasa's environment)."""
    with tempfile.TemporaryDirectory(prefix="real-nlu-") as tmp:
        source = Path(tmp) / "in.jsonl"
        source.write_text("".join(json.dumps({"id": m.id, "text": m.text}, ensure_ascii=False) + "\n"
                                  for m in messages), encoding="utf-8")
        with source.open("rb") as stdin:
            done = subprocess.run(
                [str(python), str(ROOT / "bench" / "nlu_parse.py"), str(model)],
                stdin=stdin, capture_output=True, cwd=ROOT, check=False,
            )
    if done.returncode != 0:
        raise RuntimeError(f"nlu_parse.py failed ({done.returncode}):\n{done.stderr.decode(errors='replace')[-3000:]}")
    parsed = [json.loads(line) for line in done.stdout.decode().splitlines() if line.strip()]
    return {str(p["id"]): p for p in parsed}


def nlu_labels(
    messages: Sequence[Message], parsed: Mapping[str, Mapping[str, Any]], index_dir: Path
) -> dict[str, str]:
    """Label the NLU predicts for each message (question intents: by the top knowledge hit)."""
    predicted: dict[str, str] = {}
    questions: list[Message] = []
    for message in messages:
        intent = str(parsed[message.id].get("intent"))
        label = INTENT_LABEL.get(intent, NLU_DEFAULT_LABEL)
        if label == QUESTION:
            questions.append(message)
        else:
            predicted[message.id] = label
    if questions:
        from citybot.retrieval import Retriever
        from citybot.settings import get_settings

        settings = get_settings()
        retriever = Retriever(index_dir, bm25_weight=settings.retrieval_bm25_weight,
                              dense_weight=settings.retrieval_dense_weight, dense_timeout_ms=60_000)
        for message in questions:
            best = retriever.search(message.text, k=1).best
            category = best.category if best else ""
            predicted[message.id] = CATEGORY_LABEL.get(category, CATEGORY_DEFAULT_LABEL)
    return predicted


def prf(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                         "support": tp + fn}
    return scores


def merge_questions(label: str) -> str:
    return "question" if label in QUESTION_LABELS else label


def nlu_summary(ids: Sequence[str], labels_of: Mapping[str, str], predicted: Mapping[str, str]) -> dict[str, Any]:
    gold = [labels_of[i] for i in ids]
    pred = [predicted[i] for i in ids]
    present = [label for label in LABELS if label in gold or label in pred]
    six = prf(gold, pred, present)
    merged = {merge_questions(label) for label in present}
    four_labels = [label for label in ("complaint_new", "emergency", "question", "out_of_scope") if label in merged]
    four = prf([merge_questions(g) for g in gold], [merge_questions(p) for p in pred], four_labels)
    return {
        "macro_f1": round(sum(s["f1"] for s in six.values()) / len(six), 4) if six else None,
        "per_label": six,
        "macro_f1_4": round(sum(s["f1"] for s in four.values()) / len(four), 4) if four else None,
        "per_label_4": four,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4) if gold else None,
        "predicted_outside_labels": dict(Counter(p for p in pred if p not in LABELS)),
    }


def nlu_tables(summary: Mapping[str, Any], intents: Counter[str]) -> str:
    six = md_table(
        ["label", "support", "precision", "recall", "F1"],
        [[label, s["support"], f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}"]
         for label, s in summary["per_label"].items()],
        right=(1, 2, 3, 4),
    )
    outside = ", ".join(f"{n} {label}" for label, n in summary["predicted_outside_labels"].items()) or "none"
    return "\n".join([
        six, "",
        f"- NLU macro-F1 (6 labels): **{summary['macro_f1']:.2f}**; 4 classes (questions merged): "
        f"**{summary['macro_f1_4']:.2f}**; accuracy {summary['accuracy']:.2f}",
        f"- predicted outside the labels: {outside}",
        "- intents predicted: " + ", ".join(f"{name} {n}" for name, n in intents.most_common()),
    ])


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
def abbreviate(text: str, limit: int) -> str:
    text = normalise(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show(messages: Sequence[Message], rows: Mapping[str, Row], turns: Mapping[str, Turn], misses_only: bool) -> None:
    """Terminal only: message texts are never written to a file."""
    print("\n## Replies" + (" that did not fit" if misses_only else "") + " (terminal only)\n")
    for message in messages:
        row = rows[message.id]
        score = fit(message.label, row.outcome)
        if misses_only and score >= 1.0:
            continue
        print(f"{message.id} [{message.label} -> {row.outcome}, fit {score:g}] {' '.join(row.keys)}")
        print(f"  > {abbreviate(message.text, 300)}")
        turn = turns[message.id]
        for reply in turn.replies or []:
            buttons = " ".join(f"[{b.get('title')}]" for b in reply.get("buttons") or [])
            print(f"  < {abbreviate(str(reply.get('text') or ''), 160)} {buttons}".rstrip())
        if turn.error:
            print(f"  ! {turn.error}")


def write_results(split: str, record: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            existing = json.loads(RESULTS.read_text(encoding="utf-8"))
        except ValueError:
            existing = {}
    previous = existing.get("runs")
    runs: dict[str, Any] = previous if isinstance(previous, dict) else {}
    runs[split] = record
    RESULTS.write_text(json.dumps({"runs": runs}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=Path, default=DEFAULT_MESSAGES)
    parser.add_argument("--split", choices=("all", "dev", "held_out"), default="all")
    parser.add_argument("--split-file", type=Path, default=DEFAULT_SPLIT_FILE)
    parser.add_argument("--disagreements", type=Path, default=DEFAULT_DISAGREEMENTS,
                        help="id -> our label where we disagree with the annotator (a second table)")
    parser.add_argument("--gateway", help="URL of a running gateway (default: start a fresh stack in a temp dir)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per message")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--no-stack", action="store_true", help="NLU figures only")
    parser.add_argument("--no-nlu", action="store_true", help="stack figures only")
    parser.add_argument("--show-misses", action="store_true", help="print the messages that did not fit (terminal)")
    parser.add_argument("--show-all", action="store_true", help="print every message and reply (terminal)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N messages (a smoke test)")
    args = parser.parse_args(argv)

    messages = select_split(load_messages(args.messages), args.split, args.split_file)
    if args.limit:
        messages = messages[: args.limit]
    disagreements = load_disagreements(args.disagreements)
    gold = {m.id: m.label for m in messages}
    ours = {**gold, **{k: v for k, v in (disagreements or {}).items() if k in gold}}
    ids = [m.id for m in messages]
    started = time.perf_counter()
    print(f"# Real messages: {args.messages.name}, split {args.split}, {len(messages)} messages\n")
    record: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "messages_file": str(args.messages),
        "split": args.split,
        "n": len(messages),
        "model_hash": args.model.with_suffix("").with_suffix(".hash").read_text().strip()
        if args.model.with_suffix("").with_suffix(".hash").exists() else None,
        "machine": machine(),
        "disagreements": len(ours) - sum(ours[i] == gold[i] for i in ids),
    }

    warning = stale_model_warning(args.model)
    if warning:
        print(warning + "\n")
    record["stale_model"] = bool(warning)

    if not args.no_stack:
        classifier = ReplyClassifier(default_responses(args.model))
        stack_start = time.perf_counter()
        with gateway_url(args.gateway) as url:
            ready = time.perf_counter() - stack_start
            print(f"gateway {url} ready after {ready:.0f} s; warm-up:", file=sys.stderr)
            for line in warm_up(url, classifier, args.timeout):
                print(f"  {line}", file=sys.stderr)
            run_start = time.perf_counter()
            turns = run_turns(url, messages, args.concurrency, args.timeout)
            run_seconds = time.perf_counter() - run_start
            stop_start = time.perf_counter()
        print(f"stack stopped in {time.perf_counter() - stop_start:.0f} s", file=sys.stderr)
        rows: dict[str, Row] = {}
        for message in messages:
            turn = turns[message.id]
            if turn.replies is None:
                rows[message.id] = Row(message.id, message.label, "error", [], None, turn.seconds, turn.error)
                continue
            found = classifier.classify(turn.replies)
            rows[message.id] = Row(message.id, message.label, found.outcome, found.keys, found.source, turn.seconds)
        ordered = [rows[i] for i in ids]
        summary = fit_summary(ordered, gold)
        latencies = [r.seconds for r in ordered]
        print("## Fitting first reply (labels as annotated)\n")
        print(fit_tables(summary))
        off = off_topic_answers(ordered, gold, knowledge_categories())
        if off:
            print("- knowledge answers from another topic's document (counted as fitting): "
                  + ", ".join(f"{n} {label}" for label, n in off.items()))
        unmapped = Counter(k for r in ordered for k in r.keys if k != "?" and outcome_of_key(k) is None)
        unmatched = sum(k == "?" for r in ordered for k in r.keys)
        print(f"- replies matching no response: {unmatched}; response keys with no outcome: "
              + (", ".join(f"{k} ({n})" for k, n in unmapped.items()) or "none"))
        print(f"- {len(messages)} messages in {run_seconds:.0f} s at concurrency {args.concurrency}; reply p50 "
              f"{percentile(latencies, 50):.1f} s, p95 {percentile(latencies, 95):.1f} s; stack ready in {ready:.0f} s")
        record["stack"] = {"gateway": args.gateway or "fresh stack", "ready_seconds": round(ready, 1),
                           "run_seconds": round(run_seconds, 1), "concurrency": args.concurrency,
                           "p50_seconds": round(percentile(latencies, 50), 2),
                           "p95_seconds": round(percentile(latencies, 95), 2)}
        record["fit"] = summary
        record["off_topic_answers"] = dict(off)
        changed = sum(ours[i] != gold[i] for i in ids)
        if changed:
            print(f"\n## Fitting first reply with our labels ({changed} ids relabelled, {args.disagreements.name})\n")
            ours_summary = fit_summary(ordered, ours)
            print(fit_tables(ours_summary))
            record["fit_our_labels"] = ours_summary
        elif disagreements is not None:
            print(f"- no label disagreements recorded for these messages ({args.disagreements.name})")
        record["items"] = [
            {"id": r.id, "label": r.label, **({"our_label": ours[r.id]} if ours[r.id] != r.label else {}),
             "outcome": r.outcome, "fit": fit(r.label, r.outcome), "keys": r.keys,
             **({"source": r.source} if r.source else {}), **({"error": r.error} if r.error else {}),
             "seconds": round(r.seconds, 2)}
            for r in ordered
        ]
        if args.show_misses or args.show_all:
            show(messages, rows, turns, misses_only=not args.show_all)

    if not args.no_nlu:
        nlu_start = time.perf_counter()
        parsed = nlu_parse(messages, args.model, RASA_PYTHON)
        parsed_at = time.perf_counter()
        predicted = nlu_labels(messages, parsed, args.index_dir)
        print(f"NLU: model {parsed_at - nlu_start:.0f} s, knowledge categories "
              f"{time.perf_counter() - parsed_at:.0f} s", file=sys.stderr)
        intents = Counter(str(parsed[i].get("intent")) for i in ids)
        print("\n## NLU only (trained model, intents mapped to labels)\n")
        nlu = nlu_summary(ids, gold, predicted)
        print(nlu_tables(nlu, intents))
        record["nlu"] = {**nlu, "intents": dict(intents)}
        if any(ours[i] != gold[i] for i in ids):
            ours_nlu = nlu_summary(ids, ours, predicted)
            print(f"- with our labels: macro-F1 {ours_nlu['macro_f1']:.2f}, 4 classes {ours_nlu['macro_f1_4']:.2f}")
            record["nlu_our_labels"] = ours_nlu
        items = {item["id"]: item for item in record.get("items", [])}
        for i in ids:
            entry = items.setdefault(i, {"id": i, "label": gold[i]})
            entry.update({"nlu_intent": parsed[i].get("intent"), "nlu_confidence": parsed[i].get("confidence"),
                          "nlu_label": predicted[i]})
        record["items"] = [items[i] for i in ids]

    record["seconds"] = round(time.perf_counter() - started, 1)
    write_results(args.split, record)
    print(f"\n{len(messages)} messages, {record['seconds']:.0f} s in all; ids and outcomes in "
          f"{RESULTS.relative_to(ROOT)} (no texts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
