"""Every Rasa name the action code uses exists in the merged domain, and every custom action the
domain lists has a class.

A response key, slot, form or action name mistyped in `actions/` is not an error anywhere else:
Rasa answers with nothing, a slot is silently dropped, a form never starts. The code is read
with `ast` (every module under `actions/`, however it is split into packages), not imported.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ROOT / "actions"
DOMAIN = ROOT / "bot" / "domain"

RESPONSE = re.compile(r"utter_[a-z0-9_]*[a-z0-9]")
FORM = re.compile(r"(?!validate_)[a-z0-9_]+_form")
# Field names of Rasa's own event data that happen to start with `utter_`, not response keys.
RASA_FIELDS = {"utter_action"}
# Slots and actions Rasa defines itself; a domain does not list them.
BUILTIN_SLOTS = {"requested_slot", "session_started_metadata"}
BUILTIN_ACTIONS = {
    "action_listen",
    "action_restart",
    "action_session_start",
    "action_default_fallback",
    "action_deactivate_loop",
    "action_revert_fallback_events",
    "action_default_ask_affirmation",
    "action_default_ask_rephrase",
    "action_back",
    "action_two_stage_fallback",
    "action_unlikely_intent",
    "action_extract_slots",
}


@dataclass
class Domain:
    responses: set[str] = field(default_factory=set)
    slots: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)


@dataclass
class Used:
    """Names found in the code, each with the places (`file:line`) that use it."""

    responses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    response_prefixes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    slots: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    forms: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    followups: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    action_classes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _names(section: object) -> set[str]:
    if isinstance(section, dict):
        return {str(k) for k in section}
    if isinstance(section, list):
        return {str(next(iter(item))) if isinstance(item, dict) else str(item) for item in section}
    return set()


def load_domain(folder: Path = DOMAIN) -> Domain:
    merged = Domain()
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged.responses |= _names(data.get("responses"))
        merged.slots |= _names(data.get("slots"))
        merged.forms |= _names(data.get("forms"))
        merged.actions |= _names(data.get("actions"))
    return merged


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _first_argument(call: ast.Call, keyword: str) -> str | None:
    if call.args:
        return _text(call.args[0])
    return next((_text(k.value) for k in call.keywords if k.arg == keyword), None)


def _declared_name(cls: ast.ClassDef) -> str | None:
    """What `def name(self) -> str: return "..."` of an action class returns."""
    for item in cls.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == "name":
            for node in ast.walk(item):
                if isinstance(node, ast.Return) and _text(node.value):
                    return _text(node.value)
    return None


def _scan_module(tree: ast.AST, where: str, used: Used) -> None:
    for node in ast.walk(tree):
        line = f"{where}:{getattr(node, 'lineno', 0)}"
        text = _text(node)
        if text is not None and RESPONSE.fullmatch(text) and text not in RASA_FIELDS:
            used.responses[text].append(line)
        elif text is not None and FORM.fullmatch(text):  # e.g. compared with the active loop
            used.forms[text].append(line)
        elif isinstance(node, ast.JoinedStr) and node.values:
            prefix = _text(node.values[0])
            if prefix and prefix.startswith("utter_"):
                used.response_prefixes[prefix].append(line)
        elif isinstance(node, ast.Call):
            callee = _callee(node)
            if callee == "SlotSet" and (slot := _first_argument(node, "key")):
                used.slots[slot].append(line)
            elif callee == "get_slot" and (slot := _first_argument(node, "key")):
                used.slots[slot].append(line)
            elif callee == "ActiveLoop" and (form := _first_argument(node, "name")):
                used.forms[form].append(line)
            elif callee == "FollowupAction" and (action := _first_argument(node, "name")):
                used.followups[action].append(line)
        elif isinstance(node, ast.ClassDef) and (declared := _declared_name(node)):
            used.action_classes[declared].append(line)
            if declared.startswith("validate_"):
                # A form validation class: `validate_<slot>`/`extract_<slot>` methods name slots.
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        for prefix in ("validate_", "extract_"):
                            if item.name.startswith(prefix):
                                used.slots[item.name.removeprefix(prefix)].append(f"{where}:{item.lineno}")


def scan(folder: Path = ACTIONS) -> Used:
    used = Used()
    files = sorted(folder.rglob("*.py"))
    assert files, f"no Python files under {folder}"
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        _scan_module(tree, str(path.relative_to(folder.parent)), used)
    return used


def unknown_names(used: Used, domain: Domain) -> list[str]:
    """One line per name the code uses that the domain does not define."""
    problems: list[str] = []

    def report(kind: str, names: dict[str, list[str]], known: set[str]) -> None:
        for name, places in sorted(names.items()):
            if name not in known:
                problems.append(f"{kind} {name!r} is not in bot/domain (used at {', '.join(places[:3])})")

    report("response", used.responses, domain.responses)
    report("slot", used.slots, domain.slots | BUILTIN_SLOTS)
    report("form", used.forms, domain.forms)
    report("action", used.action_classes, domain.actions | {"action_session_start"})
    report("follow-up action", used.followups, domain.actions | domain.forms | domain.responses | BUILTIN_ACTIONS)
    validations = {f"validate_{form}" for form in domain.forms}
    for name, places in sorted(used.action_classes.items()):
        if name.startswith("validate_") and name not in validations:
            problems.append(f"validation {name!r} names no form of bot/domain (at {places[0]})")
    for prefix, places in sorted(used.response_prefixes.items()):
        if not any(r.startswith(prefix) for r in domain.responses):
            problems.append(f"no response starts with {prefix!r} (used at {places[0]})")
    return problems


def missing_classes(used: Used, domain: Domain) -> list[str]:
    """Custom actions and form validations the domain lists but no class in actions/ declares."""
    custom = {a for a in domain.actions if not a.startswith("utter_") and a not in BUILTIN_ACTIONS}
    return sorted(custom - set(used.action_classes))


@pytest.fixture(scope="module")
def domain() -> Domain:
    merged = load_domain()
    assert merged.responses and merged.slots and merged.forms and merged.actions
    return merged


@pytest.fixture(scope="module")
def used() -> Used:
    return scan()


def test_every_name_the_actions_use_is_in_the_domain(used: Used, domain: Domain) -> None:
    # Guard against a scan that finds nothing and so passes vacuously.
    assert len(used.responses) > 50 and len(used.slots) > 10 and len(used.action_classes) > 10
    problems = unknown_names(used, domain)
    assert not problems, "\n".join(problems)


def test_every_custom_action_in_the_domain_has_a_class(used: Used, domain: Domain) -> None:
    missing = missing_classes(used, domain)
    assert not missing, f"listed in bot/domain but no class in actions/ returns it from name(): {missing}"


def test_each_action_name_is_declared_by_one_class(used: Used) -> None:
    twice = {name: places for name, places in used.action_classes.items() if len(places) > 1}
    assert not twice, twice


BOGUS_MODULE = """
from rasa_sdk import Action, FormValidationAction
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet


class ActionBogus(Action):
    def name(self) -> str:
        return "action_tidak_ada"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_tidak_ada")
        label = f"utter_awalan_tidak_ada_{tracker.latest_message}"
        tracker.get_slot("slot_tidak_ada_dibaca")
        if tracker.active_loop_name == "lain_tidak_ada_form":
            return []
        return [SlotSet("slot_tidak_ada", 1), ActiveLoop("form_tidak_ada"), FollowupAction("action_lain_tidak_ada")]


class ValidateBogus(FormValidationAction):
    def name(self) -> str:
        return "validate_form_tidak_ada"

    async def validate_slot_validasi_tidak_ada(self, value, dispatcher, tracker, domain):
        return {}
"""


def test_the_check_reports_made_up_names(tmp_path: Path, domain: Domain) -> None:
    """The checker itself: a module full of names the domain lacks (in a sub-package, as a
    refactor may leave them) is reported name by name, and the domain's own actions go missing."""
    package = tmp_path / "actions" / "common"
    package.mkdir(parents=True)
    (package / "bogus.py").write_text(BOGUS_MODULE, encoding="utf-8")
    used = scan(tmp_path / "actions")
    problems = "\n".join(unknown_names(used, domain))
    for name in [
        "'utter_tidak_ada'",
        "'slot_tidak_ada'",
        "'slot_tidak_ada_dibaca'",
        "'slot_validasi_tidak_ada'",
        "'form_tidak_ada'",
        "'lain_tidak_ada_form'",
        "'action_tidak_ada'",
        "'action_lain_tidak_ada'",
        "'validate_form_tidak_ada'",
        "'utter_awalan_tidak_ada_'",
    ]:
        assert name in problems, (name, problems)
    assert "actions/common/bogus.py:" in problems
    assert set(missing_classes(used, domain)) >= {"action_kirim_pengaduan", "validate_pengaduan_form"}
