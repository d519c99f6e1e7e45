"""The YAML files of the knowledge directory: FAQ entries (their own answer, or a section of a
document) and checks.yml (questions with the document that must answer them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .documents import CATEGORIES, ID_RE, Check, Document, Issue, Passage


def _node_lines(node: yaml.Node) -> list[int]:
    """1-based start lines of the items of a YAML sequence node."""
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _load_yaml(path: Path) -> tuple[Any, yaml.Node | None, Issue | None]:
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, None, Issue(path, line, f"not valid YAML: {problem}")


def parse_faq(path: Path, docs: dict[str, Document]) -> tuple[list[Passage], list[Issue]]:
    data, node, err = _load_yaml(path)
    if err:
        return [], [err]
    if data is None:
        return [], []
    if not isinstance(data, list) or node is None:
        return [], [Issue(path, 1, "an FAQ file is a list of entries starting with '- id:'")]
    lines = _node_lines(node)
    passages: list[Passage] = []
    issues: list[Issue] = []
    for item, line in zip(data, lines, strict=False):
        if not isinstance(item, dict):
            issues.append(Issue(path, line, "each FAQ entry needs id, questions and answer"))
            continue
        fid = str(item.get("id") or "")
        questions = item.get("questions")
        answer = str(item.get("answer") or "").strip()
        doc_id = item.get("doc")
        bad = False
        if not fid or not ID_RE.match(fid):
            issues.append(Issue(path, line, "FAQ entry needs an 'id' (lower-case letters, digits, '-')"))
            bad = True
        if not isinstance(questions, list) or not questions or not all(isinstance(q, str) for q in questions):
            issues.append(Issue(path, line, "FAQ entry needs 'questions:' with at least one question"))
            bad = True
        section = str(item.get("section") or "").strip()
        doc = docs.get(str(doc_id)) if doc_id else None
        if doc_id and doc is None:
            issues.append(Issue(path, line, f"FAQ entry points to unknown document '{doc_id}'"))
            bad = True
        if section and answer:
            issues.append(Issue(path, line, "FAQ entry has both 'answer' and 'section': keep one"))
            bad = True
        elif section:
            # One place per fact: the answer is the document's own section, so a fee or a phone
            # number is edited once, in the document.
            body = next((b for h, b, _ in (doc.sections if doc else []) if h.lower() == section.lower()), None)
            if doc is not None and body is None:
                issues.append(Issue(path, line, f"FAQ entry points to unknown section '{section}' of '{doc_id}'"))
                bad = True
            elif doc is None and not doc_id:
                issues.append(Issue(path, line, "FAQ entry with 'section' needs 'doc'"))
                bad = True
            answer = body or ""
        elif not answer:
            issues.append(Issue(path, line, "FAQ entry has an empty 'answer'"))
            bad = True
        category = str(item.get("category") or (doc.category if doc else ""))
        if category not in CATEGORIES:
            issues.append(Issue(path, line, f"unknown category '{category}' (use one of: {', '.join(CATEGORIES)})"))
            bad = True
        if bad:
            continue
        assert isinstance(questions, list)
        title = doc.title if doc else str(item.get("title") or questions[0])
        passages.append(
            Passage(
                pid=f"faq:{fid}",
                doc_id=doc.doc_id if doc else fid,
                title=title,
                category=category,
                heading=str(questions[0]),
                text=answer,
                summary="\n".join(str(q) for q in questions),
                keywords=list(doc.keywords) if doc else [],
                kind="faq",
                source=f"{path}:{line}",
                updated=doc.updated if doc else "",
                sources=list(doc.sources) if doc else [],
                reviewed=doc.reviewed if doc else "",
                scope=doc.scope if doc else "",
            )
        )
    return passages, issues


def parse_checks(path: Path, doc_ids: set[str]) -> tuple[list[Check], list[Issue]]:
    data, node, err = _load_yaml(path)
    if err:
        return [], [err]
    if not isinstance(data, dict) or node is None or not isinstance(node, yaml.MappingNode):
        return [], [Issue(path, 1, "checks.yml needs 'checks:' (and optionally 'out_of_scope:')")]
    nodes = {k.value: v for k, v in node.value}
    checks: list[Check] = []
    issues: list[Issue] = []
    for item, line in zip(data.get("checks") or [], _node_lines(nodes.get("checks", node)), strict=False):
        if not isinstance(item, dict) or not item.get("q") or not item.get("doc"):
            issues.append(Issue(path, line, "each check needs 'q:' (the question) and 'doc:' (the document id)"))
            continue
        if str(item["doc"]) not in doc_ids:
            issues.append(Issue(path, line, f"check points to unknown document '{item['doc']}'"))
            continue
        checks.append(Check(str(item["q"]), str(item["doc"]), line))
    for item, line in zip(data.get("out_of_scope") or [], _node_lines(nodes.get("out_of_scope", node)), strict=False):
        if isinstance(item, str) and item.strip():
            checks.append(Check(item, None, line))
        else:
            issues.append(Issue(path, line, "out_of_scope items are plain questions"))
    return checks, issues
