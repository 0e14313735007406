"""The translate package's exceptions (re-exported from translate)::

TranslateError            an engine cannot be set up or run; the message names the engine or setting
 └── GlossaryFileError    a malformed glossary file; the message names the file and line
"""

from __future__ import annotations

__all__ = ["TranslateError", "GlossaryFileError"]


class TranslateError(Exception):
    """An engine cannot be set up or run. engine / setting say which, and the message names them."""

    def __init__(self, message: str, *, engine: str | None = None, setting: str | None = None) -> None:
        super().__init__(message)
        self.engine = engine
        self.setting = setting


class GlossaryFileError(TranslateError):
    """A malformed glossary file; the message names the file and line."""
