"""Shared pieces of the rule components that run after the intent classifier.

Each one rewrites the classifier's verdict the same way (`override`, `drop`) and needs no
training, so they share one base for Rasa's graph-component boilerplate.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class RuleComponent(GraphComponent):
    """A stateless, untrained component: created from nothing, leaves training data alone."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleComponent:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def confidence(entry: dict[str, Any]) -> float:
    return float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)


def top_confidence(message: Message) -> float:
    return confidence(message.get(INTENT) or {})


def override(message: Message, intent: str) -> None:
    """`intent` becomes certain; the others keep their order at half weight (so no later
    component sees two intents at 1.0 and calls it ambiguous)."""
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    rest = [
        {**r, PREDICTED_CONFIDENCE_KEY: confidence(r) / 2}
        for r in message.get("intent_ranking") or []
        if r.get(INTENT_NAME_KEY) != intent
    ]
    message.set(INTENT, chosen, add_to_output=True)
    message.set("intent_ranking", [chosen, *rest], add_to_output=True)


def drop(message: Message, intents: frozenset[str] | set[str], renormalise: bool = False) -> None:
    """The ranking without `intents`; its top becomes the intent. With `renormalise`, the dropped
    share goes to the remaining intents. Nothing changes when nothing would be left."""
    ranking = [dict(r) for r in message.get("intent_ranking") or [] if r.get(INTENT_NAME_KEY) not in intents]
    total = sum(confidence(r) for r in ranking)
    if not ranking or (renormalise and total <= 0):
        return
    if renormalise:
        for r in ranking:
            r[PREDICTED_CONFIDENCE_KEY] = confidence(r) / total
    message.set(INTENT, dict(ranking[0]), add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
