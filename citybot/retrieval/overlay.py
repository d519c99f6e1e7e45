"""National knowledge plus one city's overlay (`cities/<profile>/knowledge/`).

A city document with the id of a national one replaces it in that city; national documents
whose `scope:` names another city are left out (Makassar's HomeCare is not Jakarta's answer).
FAQ entries and editors' checks that belong to a left-out or replaced document go with it; a city's
own `checks.yml` holds the test questions of its own documents.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .documents import (
    CHECKS_FILE,
    DEFAULT_REVIEW_MAX_AGE_MONTHS,
    Document,
    Issue,
    Knowledge,
    document_passages,
    parse_document,
)
from .loader import load_knowledge, source_files
from .yaml_files import parse_checks

NATIONAL_SCOPES = ("", "nasional")


def _city_documents(
    overlay: Path, profile: str, today: dt.date | None, months: int
) -> tuple[dict[str, Document], list[Issue]]:
    docs: dict[str, Document] = {}
    issues: list[Issue] = []
    for path in source_files(overlay):
        if path.suffix != ".md":
            continue
        doc, doc_issues = parse_document(path, overlay, today, months)
        # A new city's key is not among the built-in scope labels; in its own folder it is valid.
        issues += [i for i in doc_issues if not i.message.startswith(f"unknown scope '{profile}'")]
        if doc is None:
            continue
        if doc.scope not in (*NATIONAL_SCOPES, profile):
            issues.append(Issue(path, 2, f"a document of city '{profile}' cannot have scope '{doc.scope}'"))
        if doc.doc_id in docs:
            issues.append(Issue(path, 2, f"duplicate id '{doc.doc_id}' (also in {docs[doc.doc_id].path})"))
            continue
        docs[doc.doc_id] = doc
    return docs, issues


def _city_figure_conflicts(docs: list[Document], overlay: Path) -> list[Issue]:
    """Figures of a city document that contradict a national document still in force."""
    from .facts import figure_conflicts, figures

    found = []
    for doc in docs:
        text = doc.path.read_text(encoding="utf-8").splitlines()
        found += figures(doc.path, "\n".join(text[doc.body_line - 1 :]), doc.body_line)
    issues = []
    for first, later in figure_conflicts(found):
        if overlay in first.path.parents or overlay in later.path.parents:
            issues.append(
                Issue(
                    later.path,
                    later.line,
                    f"'{later.label}' is {later.shown} here but {first.shown} in "
                    f"{first.path}:{first.line}: keep one value (one place per fact)",
                )
            )
    return issues


def load_city_knowledge(
    root: Path,
    overlay: Path | None,
    profile: str | None,
    today: dt.date | None = None,
    review_max_age_months: int = DEFAULT_REVIEW_MAX_AGE_MONTHS,
) -> Knowledge:
    """The knowledge one city answers from; without a profile, the national set unchanged."""
    national = load_knowledge(root, today, review_max_age_months)
    if not profile:
        return national
    overlay = Path(overlay).resolve() if overlay is not None else None
    city: dict[str, Document] = {}
    issues = list(national.issues)
    if overlay is not None and overlay.is_dir():
        city, city_issues = _city_documents(overlay, profile, today, review_max_age_months)
        issues += city_issues
    left_out = {d.doc_id for d in national.documents if d.scope not in (*NATIONAL_SCOPES, profile)}
    gone = left_out | set(city)
    docs = [d for d in national.documents if d.doc_id not in gone] + list(city.values())
    passages = [p for p in national.passages if p.doc_id not in gone]
    for doc in city.values():
        passages += document_passages(doc)
    checks = [c for c in national.checks if c.doc_id not in left_out - set(city)]
    if overlay is not None and (overlay / CHECKS_FILE).is_file():
        # A city's own documents carry their own test questions, next to them.
        city_checks, check_issues = parse_checks(overlay / CHECKS_FILE, {d.doc_id for d in docs})
        checks += city_checks
        issues += check_issues
    if overlay is not None and city:
        issues += _city_figure_conflicts(docs, overlay)
    return Knowledge(docs, passages, checks, issues)


def overlay_hash(overlay: Path | None) -> str:
    from .loader import content_hash

    return content_hash(overlay) if overlay is not None and Path(overlay).is_dir() else "none"
