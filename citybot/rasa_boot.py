"""Starts Rasa (in Rasa's own Python 3.10 environment) with one measured hot spot removed.

`python -m citybot.rasa_boot run ...` behaves exactly like `rasa run ...`. Standard library only,
plus what Rasa itself ships: this module runs inside `.venv-rasa`, not the app environment.

Why: profiling the Rasa server under load (bench/load.py --profile) put ~30 % of its CPU in
`RemoteAction._validate_action_result`, which calls `jsonschema.validate` for every custom-action
response; that helper re-checks the (constant) schema against the JSON Schema meta-schema and
builds a new validator each time. Here the validator is built once. Same schema, same errors.
"""

from __future__ import annotations

import sys
from typing import Any


def _cache_action_response_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions import action as rasa_action
    from rasa.shared.constants import DOCS_BASE_URL

    spec = rasa_action.RemoteAction.action_response_format_spec()
    validator = validator_for(spec)(spec)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise e

    rasa_action.RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    try:
        _cache_action_response_validator()
    except Exception as exc:  # a Rasa upgrade moved things: run unpatched rather than not at all
        print(f"rasa_boot: validator cache not applied ({type(exc).__name__}: {exc})", file=sys.stderr)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
