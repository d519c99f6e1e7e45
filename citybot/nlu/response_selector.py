"""Rasa's ResponseSelector, run only for messages whose intent is a retrieval intent.

The stock component picks a chitchat answer for every message, although the answer is used
only when the intent is `chitchat`. Under load that was 9.5 % of the Rasa server's CPU
(bench/load.py --profile). Same model, same training, same output for chitchat messages.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalOnlyResponseSelector(ResponseSelector):
    def _wanted(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if intent is None:
            # No classifier ran before this one (e.g. a test pipeline): behave like the original.
            return True
        wanted = [self.retrieval_intent] if self.retrieval_intent else self.all_retrieval_intents
        return intent in wanted

    def process(self, messages: list[Message]) -> list[Message]:
        selected = [message for message in messages if self._wanted(message)]
        if selected:
            super().process(selected)
        return messages
