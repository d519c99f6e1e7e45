"""Reference city backend: Open311 complaints, HomeCare, permits, kampung catalogue, agents.

Only `create_app(settings)` (in `citybot.backend.app`) creates engines; importing is free.
"""
