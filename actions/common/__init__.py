"""Helpers every citizen action shares: the tracker, domain texts, answers, dates and the city."""
