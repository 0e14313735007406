"""Digest stage: build (pure: store rows → Digest), render (Jinja2 HTML + plain text) and send (SMTP).

Imports no other project package: the pipeline passes plain rows (dicts) in and gets files and messages out.
"""

from .build import (
    PLATFORM_TARGET,
    TARGET_YEAR,
    Change,
    Digest,
    Item,
    Name,
    SourceHealth,
    build_digest,
)
from .platforms import PlatformLine, ProgrammeProgress
from .render import render, render_html, render_text, safe_url, write_digest
from .send import SendError, SendResult, SmtpSettings, build_message, check_login, send

__all__ = ["PLATFORM_TARGET", "TARGET_YEAR", "Change", "Digest", "Item", "Name", "PlatformLine", "ProgrammeProgress", "SendError", "SendResult", "SmtpSettings", "SourceHealth", "build_digest",
           "build_message", "check_login", "render", "render_html", "render_text", "safe_url",
           "send", "write_digest"]
