"""Alembic environment: the URL comes from `config.attributes["url"]` or the settings."""

from __future__ import annotations

from alembic import context

from citybot.backend.models import Base
from citybot.sqlite_engine import make_engine

config = context.config


def _url() -> str:
    url = config.attributes.get("url")
    if url:
        return str(url)
    from citybot.settings import get_settings

    return get_settings().database_url


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = make_engine(_url(), pool_size=1)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
