"""One TLS context per process for every HTTP client the actions create.

Profiling the action server under load showed half its CPU in `ssl.create_default_context`:
each `httpx.AsyncClient` loads the CA bundle again, and actions open a client per call. Built
once, on first use (never at import), and shared.
"""

from __future__ import annotations

import ssl
from functools import lru_cache


@lru_cache(maxsize=1)
def shared_ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()
