"""Agent passwords for the gateway console and the city backend: one format, Argon2id (argon2-cffi).

Older accounts carry scrypt hashes (`scrypt$n$r$p$salt$digest` from the gateway,
`scrypt$salt$digest` from the backend); they still verify, and `check` hands back an Argon2id
hash to store in their place, so every account moves to the one format at its next login.

Hashing is slow and memory-hard on purpose, so it runs on its own small thread pool
(`check_async`, `hash_async`): a burst of logins neither blocks the event loop nor occupies the
default executor that database calls and file reads share.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, 64 MiB, p=4).
_HASHER = PasswordHasher()
# Two workers: at most 2 x 64 MiB in flight, and the 2-core machine stays responsive; extra
# logins wait in this pool's queue, never in the shared one.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-hash")
_SCRYPT_DEFAULTS = (2**14, 8, 1)


@dataclass(frozen=True)
class Checked:
    ok: bool
    rehash: str | None = None  # a new Argon2id hash to store when the stored one is outdated


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("no-such-account")


def check(password: str, stored: str | None) -> Checked:
    """Verify `password`; `stored=None` (unknown user) costs the same as a wrong password."""
    if stored is None:
        _verify_argon2(password, _dummy_hash())
        return Checked(False)
    if stored.startswith("$argon2"):
        if not _verify_argon2(password, stored):
            return Checked(False)
        return Checked(True, _HASHER.hash(password) if _HASHER.check_needs_rehash(stored) else None)
    if _verify_scrypt(password, stored):
        return Checked(True, _HASHER.hash(password))
    return Checked(False)


def _verify_argon2(password: str, stored: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _verify_scrypt(password: str, stored: str) -> bool:
    parts = stored.split("$")
    try:
        if len(parts) == 6 and parts[0] == "scrypt":  # gateway: scrypt$n$r$p$salt$digest
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt_b64, digest_b64 = parts[4], parts[5]
        elif len(parts) == 3 and parts[0] == "scrypt":  # backend: scrypt$salt$digest
            (n, r, p), salt_b64, digest_b64 = _SCRYPT_DEFAULTS, parts[1], parts[2]
        else:
            return False
        if n > 2**20 or r > 32 or p > 16:  # a tampered row must not cost gigabytes
            return False
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        candidate = hashlib.scrypt(password.encode(), salt=salt, dklen=len(digest), n=n, r=r, p=p)
    except ValueError:
        return False
    return hmac.compare_digest(candidate, digest)


async def check_async(password: str, stored: str | None) -> Checked:
    return await asyncio.get_running_loop().run_in_executor(_POOL, check, password, stored)


async def hash_async(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_POOL, hash_password, password)
