"""Load the whole knowledge directory: documents, FAQ files and checks, with every issue found
(each as ``path:line: message``), and the content hash the index is keyed by."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from citybot.file_hash import files_hash

from .documents import (
    CHECKS_FILE,
    DEFAULT_REVIEW_MAX_AGE_MONTHS,
    LEXICON_FILE,
    SKIP_NAMES,
    Check,
    Document,
    Issue,
    Knowledge,
    Passage,
    document_passages,
    parse_document,
)
from .yaml_files import parse_checks, parse_faq


def source_files(root: Path) -> list[Path]:
    """Every file that feeds the index, in a stable order (used for the content hash)."""
    files = [p for p in root.rglob("*.md") if p.name not in SKIP_NAMES]
    files += list((root / "faq").glob("*.yml")) + list((root / "faq").glob("*.yaml"))
    for name in (CHECKS_FILE, LEXICON_FILE):
        if (root / name).exists():
            files.append(root / name)
    return sorted(p for p in files if not any(part.startswith(".") for part in p.relative_to(root).parts))


def content_hash(root: Path) -> str:
    return files_hash(source_files(root), root)


def _conflicting_figures(docs: list[Document], root: Path) -> list[Issue]:
    """One figure, two values in two files (documents and FAQ answers): see facts.py."""
    from .facts import figure_conflicts, figures

    found = []
    for doc in docs:
        text = doc.path.read_text(encoding="utf-8").splitlines()
        found += figures(doc.path, "\n".join(text[doc.body_line - 1 :]), doc.body_line)
    for path in source_files(root):
        if path.parent.name == "faq" and path.suffix in (".yml", ".yaml"):
            found += figures(path, path.read_text(encoding="utf-8"))
    issues = []
    for first, later in figure_conflicts(found):
        issues.append(
            Issue(
                later.path,
                later.line,
                f"'{later.label}' is {later.shown} here but {first.shown} in "
                f"{first.path}:{first.line}: keep one value (one place per fact)",
            )
        )
    return issues


def load_knowledge(
    root: Path, today: dt.date | None = None, review_max_age_months: int = DEFAULT_REVIEW_MAX_AGE_MONTHS
) -> Knowledge:
    root = Path(root)
    issues: list[Issue] = []
    if not root.is_dir():
        return Knowledge([], [], [], [Issue(root, 0, "knowledge directory does not exist")])
    docs: dict[str, Document] = {}
    first_seen: dict[str, Path] = {}
    for path in source_files(root):
        if path.suffix != ".md":
            continue
        doc, doc_issues = parse_document(path, root, today, review_max_age_months)
        issues += doc_issues
        if doc is None:
            continue
        if doc.doc_id in docs:
            issues.append(Issue(path, 2, f"duplicate id '{doc.doc_id}' (also in {first_seen[doc.doc_id]})"))
            continue
        docs[doc.doc_id] = doc
        first_seen[doc.doc_id] = path
    passages: list[Passage] = []
    for doc in docs.values():
        passages += document_passages(doc)
    faq_ids: set[str] = set()
    for path in source_files(root):
        if path.parent.name == "faq" and path.suffix in (".yml", ".yaml"):
            faq_passages, faq_issues = parse_faq(path, docs)
            issues += faq_issues
            for p in faq_passages:
                if p.pid in faq_ids:
                    issues.append(Issue(path, int(p.source.rsplit(":", 1)[1]), f"duplicate FAQ id '{p.pid[4:]}'"))
                    continue
                faq_ids.add(p.pid)
                passages.append(p)
    issues += _conflicting_figures(list(docs.values()), root)
    checks: list[Check] = []
    if (root / CHECKS_FILE).exists():
        checks, check_issues = parse_checks(root / CHECKS_FILE, set(docs))
        issues += check_issues
    if not docs and not issues:
        issues.append(Issue(root, 0, "no documents found (expected <category>/<id>.md files)"))
    return Knowledge(list(docs.values()), passages, checks, issues)
