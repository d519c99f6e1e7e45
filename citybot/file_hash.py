"""The content hash of a set of files, which the trained model and the retrieval index are
keyed by: a renamed file changes it as much as an edited one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def files_hash(files: Iterable[Path], root: Path) -> str:
    """sha256 over each file's path relative to `root` and its bytes, in the order given."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
