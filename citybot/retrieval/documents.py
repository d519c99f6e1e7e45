"""The knowledge model (documents, passages, checks, issues) and the Markdown documents' parser.

Every problem is reported as ``path:line: message`` so an editor can jump to it. Parsing
never raises on content problems: it returns what it could read plus the list of issues
(loader.py reads the whole directory).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATEGORIES = ("perizinan", "kesehatan", "transportasi", "pengaduan", "umkm", "sosial")
# `sources` (official URLs) and `reviewed` (the day a person checked the text against them, or
# "belum" while nobody has) replace the old bulk `updated` stamp, which is still accepted.
REQUIRED_FIELDS = ("id", "title", "category", "sources", "reviewed")
NOT_REVIEWED = "belum"
# Where a local rule applies: the whole country or one city profile (label shown to citizens).
SCOPES = {"nasional": "", "jakarta": "DKI Jakarta", "makassar": "Kota Makassar", "banyuwangi": "Kabupaten Banyuwangi"}
DEFAULT_REVIEW_MAX_AGE_MONTHS = 6
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Files in the knowledge root that are not documents.
CHECKS_FILE = "checks.yml"
LEXICON_FILE = "sinonim.yml"
SKIP_NAMES = {"README.md"}


@dataclass(frozen=True)
class Issue:
    path: Path
    line: int
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass
class Passage:
    """One retrieval unit: a `##` section of a document, or one FAQ entry."""

    pid: str
    doc_id: str
    title: str
    category: str
    heading: str
    text: str  # Markdown body shown to the citizen (bullets kept)
    summary: str = ""
    keywords: list[str] = field(default_factory=list)
    kind: str = "section"  # section | overview | faq
    source: str = ""  # path:line
    updated: str = ""
    sources: list[str] = field(default_factory=list)  # official URLs, most authoritative first
    reviewed: str = ""  # ISO date a person checked it, "" when nobody has yet
    scope: str = ""  # "" / nasional / a city profile key (jakarta, makassar, banyuwangi)

    def embed_text(self) -> str:
        """What the dense model sees: context first, then the body, bounded in length."""
        body = re.sub(r"[#*_`>|]", " ", self.text)
        body = " ".join(body.split()[:220])
        parts = [self.title, self.heading if self.heading != self.title else "", body]
        if self.kind != "faq" and self.keywords:
            parts.append("Kata kunci: " + ", ".join(self.keywords))
        return ". ".join(p for p in parts if p)

    def content_hash(self) -> str:
        return hashlib.sha256(self.embed_text().encode("utf-8")).hexdigest()[:24]


@dataclass
class Document:
    doc_id: str
    title: str
    category: str
    keywords: list[str]
    updated: str
    summary: str
    path: Path
    sections: list[tuple[str, str, int]]  # (heading, body, line)
    sources: list[str] = field(default_factory=list)
    reviewed: str = ""  # ISO date, "" = not reviewed yet
    scope: str = ""
    body_line: int = 1  # file line where the body (after the front matter) starts


@dataclass
class Check:
    query: str
    doc_id: str | None  # None = out of scope: nothing should answer confidently
    line: int


@dataclass
class Knowledge:
    documents: list[Document]
    passages: list[Passage]
    checks: list[Check]
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "bagian"


def _key_line(fm_lines: list[str], key: str, offset: int) -> int:
    """1-based file line where `key:` is defined in the front matter (or its first line)."""
    for i, line in enumerate(fm_lines):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return offset + i
    return offset


def _check_sources(path: Path, meta: dict[str, Any], line: int) -> tuple[list[str], list[Issue]]:
    sources = meta.get("sources")
    if sources in (None, "", []):
        return [], []  # reported as a missing field
    if not isinstance(sources, list) or not all(isinstance(u, str) for u in sources):
        return [], [Issue(path, line, "sources must be a list of links, e.g. [https://peraturan.bpk.go.id/...]")]
    bad = [u for u in sources if not re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", u)]
    if bad:
        return [], [Issue(path, line, f"source '{bad[0]}' is not a web link (https://...)")]
    return [str(u) for u in sources], []


def _check_reviewed(
    path: Path, meta: dict[str, Any], line: int, today: dt.date, max_age_months: int
) -> tuple[str, list[Issue]]:
    from .facts import is_stale

    value = meta.get("reviewed")
    if value in (None, ""):
        return "", []  # reported as a missing field
    if str(value).strip().lower() == NOT_REVIEWED:
        return "", [Issue(path, line, "not reviewed yet: check it against its sources, then write the date", "warning")]
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return "", [Issue(path, line, f"reviewed '{value}' must be a date like 2026-01-31 (or 'belum')")]
    if day > today:
        return "", [Issue(path, line, f"reviewed {day} is in the future")]
    if is_stale(day, today, max_age_months):
        return day.isoformat(), [
            Issue(
                path,
                line,
                f"reviewed {day}, more than {max_age_months} months ago: check it against its sources again",
                "warning",
            )
        ]
    return day.isoformat(), []


def parse_document(
    path: Path, root: Path, today: dt.date | None = None, review_max_age_months: int = DEFAULT_REVIEW_MAX_AGE_MONTHS
) -> tuple[Document | None, list[Issue]]:
    today = today or dt.date.today()
    issues: list[Issue] = []
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Issue(path, 1, "missing front matter: the file must start with a line '---'")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Issue(path, 1, "front matter is not closed: add a line '---' after it")]
    fm_lines = lines[1:end]
    try:
        meta = yaml.safe_load("\n".join(fm_lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Issue(path, line, f"front matter is not valid YAML: {problem}")]
    if not isinstance(meta, dict):
        return None, [Issue(path, 2, "front matter must be 'key: value' lines")]

    for key in REQUIRED_FIELDS:
        if meta.get(key) in (None, ""):
            issues.append(Issue(path, end + 1, f"front matter is missing '{key}'"))
    doc_id = str(meta.get("id") or "")
    if doc_id:
        if doc_id != path.stem:
            issues.append(
                Issue(
                    path,
                    _key_line(fm_lines, "id", 2),
                    f"id '{doc_id}' must equal the file name '{path.stem}' (without .md)",
                )
            )
        elif not ID_RE.match(doc_id):
            issues.append(
                Issue(path, _key_line(fm_lines, "id", 2), "id may only use lower-case letters, digits and '-'")
            )
    category = str(meta.get("category") or "")
    if category and category not in CATEGORIES:
        issues.append(
            Issue(
                path,
                _key_line(fm_lines, "category", 2),
                f"unknown category '{category}' (use one of: {', '.join(CATEGORIES)})",
            )
        )
    elif category and path.parent != root and path.parent.name in CATEGORIES and path.parent.name != category:
        issues.append(
            Issue(
                path,
                _key_line(fm_lines, "category", 2),
                f"category '{category}' differs from the folder '{path.parent.name}'",
                "warning",
            )
        )
    updated = meta.get("updated")
    if updated not in (None, "") and not isinstance(updated, dt.date):
        try:
            dt.date.fromisoformat(str(updated))
        except ValueError:
            issues.append(
                Issue(path, _key_line(fm_lines, "updated", 2), f"updated '{updated}' must be a date like 2026-01-31")
            )
    sources, found = _check_sources(path, meta, _key_line(fm_lines, "sources", 2))
    issues += found
    reviewed, found = _check_reviewed(path, meta, _key_line(fm_lines, "reviewed", 2), today, review_max_age_months)
    issues += found
    scope = str(meta.get("scope") or "")
    if scope and scope not in SCOPES:
        issues.append(
            Issue(path, _key_line(fm_lines, "scope", 2), f"unknown scope '{scope}' (use one of: {', '.join(SCOPES)})")
        )
    keywords = meta.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, (str, int)) for k in keywords):
        issues.append(
            Issue(path, _key_line(fm_lines, "keywords", 2), "keywords must be a list, e.g. [IMB, izin bangunan]")
        )
        keywords = []

    # Body: optional "# Title", summary paragraph(s), then "## " sections.
    title = str(meta.get("title") or "")
    summary_lines: list[str] = []
    sections: list[tuple[str, list[str], int]] = []
    in_code = False
    for i in range(end + 1, len(lines)):
        line = lines[i]
        if line.strip().startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            sections.append((line[3:].strip(), [], i + 1))
            continue
        if not in_code and line.startswith("# ") and not sections:
            continue  # document title line; the front matter title is authoritative
        if sections:
            sections[-1][1].append(line)
        else:
            summary_lines.append(line)
    summary = "\n".join(summary_lines).strip()
    if not sections:
        issues.append(Issue(path, end + 2, "document has no '## ' sections"))
    if not summary:
        issues.append(Issue(path, end + 2, "add a one or two sentence summary under the title", "warning"))
    seen: dict[str, int] = {}
    out_sections: list[tuple[str, str, int]] = []
    for heading, body_lines, line_no in sections:
        body = "\n".join(body_lines).strip()
        if not heading:
            issues.append(Issue(path, line_no, "section heading is empty"))
        if not body:
            issues.append(Issue(path, line_no, f"section '{heading}' is empty"))
            continue
        if heading.lower() in seen:
            issues.append(Issue(path, line_no, f"section '{heading}' repeats line {seen[heading.lower()]}", "warning"))
        seen[heading.lower()] = line_no
        out_sections.append((heading, body, line_no))
    if any(i.severity == "error" for i in issues):
        return None, issues
    updated_str = updated.isoformat() if isinstance(updated, dt.date) else str(updated)
    from .facts import passed_dates

    for n, phrase in passed_dates("\n".join(lines[end + 1 :]), today):
        issues.append(Issue(path, end + 2 + n, f"'{phrase}' has passed: check the fact and rewrite it", "warning"))
    doc = Document(
        doc_id,
        title,
        category,
        [str(k) for k in keywords],
        updated_str if updated not in (None, "") else reviewed,
        summary,
        path,
        out_sections,
        sources,
        reviewed,
        scope,
        end + 2,
    )
    return doc, issues


def document_passages(doc: Document) -> list[Passage]:
    out: list[Passage] = []
    if doc.summary:
        out.append(
            Passage(
                f"{doc.doc_id}#ringkasan",
                doc.doc_id,
                doc.title,
                doc.category,
                "Ringkasan",
                doc.summary,
                doc.summary,
                doc.keywords,
                "overview",
                f"{doc.path}:1",
                doc.updated,
                doc.sources,
                doc.reviewed,
                doc.scope,
            )
        )
    used: set[str] = set()
    for heading, body, line in doc.sections:
        slug = _slug(heading)
        while f"{doc.doc_id}#{slug}" in used or (slug == "ringkasan" and doc.summary):
            slug += "-2"
        used.add(f"{doc.doc_id}#{slug}")
        out.append(
            Passage(
                f"{doc.doc_id}#{slug}",
                doc.doc_id,
                doc.title,
                doc.category,
                heading,
                body,
                doc.summary,
                doc.keywords,
                "section",
                f"{doc.path}:{line}",
                doc.updated,
                doc.sources,
                doc.reviewed,
                doc.scope,
            )
        )
    return out
