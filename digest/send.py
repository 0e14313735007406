"""Send the digest by SMTP (standard library smtplib + email.message.EmailMessage).

    SendError      anything that kept the message from being delivered: connection refused, timeout, TLS failure,
                   login rejected, sender or every recipient refused. The message names host:port and the reason,
                   never the password.

The password comes from the caller, who reads it from the PILOTWATCH_SMTP_PASSWORD environment variable; it is
never part of a repr, a log line or an error message, and it is only sent over STARTTLS/SSL (or to a relay on this
machine).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr

from .build import Digest

SECURITY = ("starttls", "ssl", "none")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class SendError(Exception):
    """The digest could not be sent (or the login checked); the message says where (host:port) and why."""

    def __init__(self, host: str, port: int, reason: str):
        self.host, self.port, self.reason = host, port, reason
        super().__init__(f"SMTP {host}:{port}: {reason}")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # "starttls" (port 587) | "ssl" (implicit TLS, port 465) | "none" (local relay)
    user: str = ""  # empty: no login
    password: str = field(default="", repr=False)  # passed in by the caller, who reads it from the environment
    password_from: str = "the password"  # where the caller found it (named in a rejected-login error), never the value
    sender: str = ""  # From: "PilotWatch <pilotwatch@example.org>"
    recipients: tuple[str, ...] = ()
    timeout: float = 30.0
    # the caller's redaction (pilotwatch.redact): a server may echo the AUTH exchange, i.e. the password in base64
    redact: Callable[[str], str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.security not in SECURITY:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY)}, got {self.security!r}")
        if isinstance(self.recipients, str):  # a bare string would be sent to each of its characters
            object.__setattr__(self, "recipients", (self.recipients,))


@dataclass(frozen=True)
class SendResult:
    message_id: str
    accepted: tuple[str, ...]
    refused: tuple[str, ...] = ()  # some recipients refused while others accepted: delivered, but say so


def _address(addr: str) -> str:
    return parseaddr(addr)[1]


def build_message(digest: Digest, html: str, text: str, settings: SmtpSettings) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML second (clients show the last part they can)."""
    sender = _address(settings.sender)
    if not sender or "@" not in sender:
        raise SendError(settings.host, settings.port, f"no valid sender address configured (got {settings.sender!r})")
    if not settings.recipients:
        raise SendError(settings.host, settings.port, "no recipients configured")
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = settings.sender
    # several recipients (the envelope has them all) never see each other's addresses
    msg["To"] = settings.recipients[0] if len(settings.recipients) == 1 else "undisclosed-recipients:;"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to a daily robot
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    if digest.chart_png:  # multipart/related inside the HTML alternative: shown inline, not as an attachment
        from .render import CHART_CID

        msg.get_payload()[1].add_related(digest.chart_png, "image", "png", cid=f"<{CHART_CID}>",
                                         filename="platforms.png")
    return msg


def _scrub(text: str, settings: SmtpSettings) -> str:
    # A server may echo what it was sent; the password never leaves in an error message.
    if settings.password:
        text = text.replace(settings.password, "***")
    return settings.redact(text) if settings.redact else text


def _reply(exc: smtplib.SMTPResponseException, settings: SmtpSettings) -> str:
    err = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return _scrub(f"{exc.smtp_code} {' '.join(err.split())}", settings)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    """Connected, TLS set up as configured, logged in if a user is set. Raises SendError."""
    host, port = settings.host, settings.port
    if settings.user and settings.security == "none" and host.lower() not in _LOOPBACK:
        raise SendError(host, port, 'refusing to send the password unencrypted: use security "starttls" or "ssl"')
    context = ssl.create_default_context()
    smtp: smtplib.SMTP | None = None
    try:
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=settings.timeout)
        smtp.ehlo()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise SendError(host, port, 'the server does not offer STARTTLS (use security "ssl" for port 465, '
                                            'or "none" only for a relay on this machine)')
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            if not smtp.has_extn("auth"):
                raise SendError(host, port, f"the server does not offer AUTH, cannot log in as {settings.user}")
            smtp.login(settings.user, settings.password)
        return smtp
    except BaseException as exc:
        if smtp is not None:
            _close(smtp)
        if isinstance(exc, SendError):
            raise
        if isinstance(exc, Exception):
            raise _error(exc, settings) from None
        raise


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _error(exc: Exception, settings: SmtpSettings) -> SendError:
    """One clear reason per failure; chained with `from None` so no traceback carries server replies further."""
    host, port = settings.host, settings.port
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(host, port, f"login as {settings.user} rejected ({_reply(exc, settings)}); check the user "
                                     f"and {settings.password_from}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{rcpt} ({_reply(smtplib.SMTPResponseException(*r), settings)})"
                            for rcpt, r in exc.recipients.items())
        return SendError(host, port, f"all recipients refused: {refused}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return SendError(host, port, f"sender {exc.sender} refused ({_reply(exc, settings)})")
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendError(host, port, f"server answered {_reply(exc, settings)}")
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
        return SendError(host, port, f"timed out after {settings.timeout:g} s (no answer from the server)")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return SendError(host, port, f"server closed the connection ({_scrub(str(exc), settings) or 'no reason given'})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendError(host, port, f"not supported by the server: {_scrub(str(exc), settings)}")
    if isinstance(exc, smtplib.SMTPException):
        return SendError(host, port, _scrub(str(exc), settings) or type(exc).__name__)
    if isinstance(exc, ConnectionRefusedError):
        return SendError(host, port, "connection refused (is the SMTP server running, and the port right?)")
    if isinstance(exc, TimeoutError):  # socket.timeout is TimeoutError since 3.10
        return SendError(host, port, f"timed out after {settings.timeout:g} s")
    if isinstance(exc, socket.gaierror):
        return SendError(host, port, f"cannot resolve host name ({exc.strerror})")
    if isinstance(exc, ssl.SSLError):
        return SendError(host, port, f"TLS failed ({exc.reason or exc}); check security and port "
                                     "(465 is usually ssl, 587 starttls)")
    if isinstance(exc, OSError):
        return SendError(host, port, exc.strerror or str(exc) or type(exc).__name__)
    return SendError(host, port, f"{type(exc).__name__}: {_scrub(str(exc), settings)}")


def send(message: EmailMessage, settings: SmtpSettings) -> SendResult:
    """Deliver the message to settings.recipients (the envelope; the To header is for display).

    Raises SendError when nothing was delivered. If some recipients were refused and others accepted, the message is
    delivered and the refused ones are in the result (re-sending would duplicate it for the others).
    """
    sender = _address(settings.sender)
    recipients = tuple(a for _name, a in getaddresses(list(settings.recipients)) if a)
    if not sender or not recipients:
        raise SendError(settings.host, settings.port, "no sender or no recipients configured")
    smtp = _connect(settings)
    try:
        refused = smtp.send_message(message, from_addr=sender, to_addrs=list(recipients))
    except Exception as exc:
        raise _error(exc, settings) from None
    finally:
        _close(smtp)
    return SendResult(message_id=str(message.get("Message-ID", "")),
                      accepted=tuple(r for r in recipients if r not in refused), refused=tuple(refused))


def check_login(settings: SmtpSettings) -> str:
    """Connect, set up STARTTLS/SSL, log in if a user is set, quit. Returns a one-line report; raises SendError."""
    smtp = _connect(settings)
    _close(smtp)
    how = {"starttls": "STARTTLS", "ssl": "SSL", "none": "no TLS"}[settings.security]
    login = f"logged in as {settings.user}" if settings.user else "no login configured"
    return f"SMTP {settings.host}:{settings.port} ok ({how}, {login})"
