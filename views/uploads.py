"""Uploaded files on disk for the length of one session, and not a moment longer.

The import pipeline reads paths, so the Data page writes an upload to a temporary folder. One
folder per session, holding only the current upload; it is emptied after an import and removed
when the session ends (Streamlit drops the session's state, the folder object is collected, its
finalizer deletes the folder) or when the process exits.
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path


class UploadFolder:
    """A session's temporary folder; deleted with the object."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="outlay-upload-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def save(self, name: str, data: bytes, digest: str) -> Path:
        """The bytes as `name` in the folder, the only file kept there (a new upload replaces the last)."""
        slot = self.path / digest[:16]
        self.clear(keep=slot)
        path = slot / Path(name).name
        if not path.exists():
            slot.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return path

    def clear(self, keep: Path | None = None) -> None:
        for entry in self.path.iterdir():
            if entry != keep:
                shutil.rmtree(entry, ignore_errors=True)

    def remove(self) -> None:
        self._finalizer()
