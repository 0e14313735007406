"""Sending the digest through a real SMTP server on localhost (aiosmtpd), parsed back with the email package."""

import email
import email.policy
import json
import re
import socket
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.controller import Controller  # dev extra: aiosmtpd
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest import SendError, SmtpSettings, build_digest, build_message, check_login, render, send

# The test server takes AUTH without TLS (auth_require_tls=False), which aiosmtpd rightly warns about.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

USER, PASSWORD = "pilotwatch", "correct-horse-battery-staple"


class Collect:
    """aiosmtpd handler: keeps every message; refuses recipients at nobody.example.org."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@nobody.example.org"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(**kwargs):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller, handler


@pytest.fixture
def smtp_server():
    controller, handler = start_server()
    yield controller, handler
    controller.stop()


@pytest.fixture
def auth_server():
    controller, handler = start_server(auth_required=True, auth_require_tls=False, authenticator=authenticator)
    yield controller, handler
    controller.stop()


def settings_for(controller, **kw) -> SmtpSettings:
    base = dict(host="127.0.0.1", port=controller.port, security="none", sender="PilotWatch <digest@example.org>",
                recipients=("analyst@example.com", "lead@example.com"), timeout=5)
    base.update(kw)
    return SmtpSettings(**base)


def sample_digest():
    body = "工业和信息化部公布首批生物制造中试能力建设平台名单。江南大学在无锡建设酶制剂中试平台。"
    start = body.index("酶制剂")
    rows = [
        {"id": 1, "url": "https://www.miit.gov.cn/zwgk/art/2025/art_0123.html", "source": "miit", "source_label": "MIIT",
         "title_zh": "首批生物制造中试能力建设平台名单<script>alert(1)</script>",
         "title_en": "First list of biomanufacturing pilot platforms <script>alert(1)</script>",
         "body_zh": body, "published_at": "2025-12-22T10:00:00+08:00", "translation_engine": "gloss",
         "is_platform_announcement": 1, "mentions_pilot_platform": 1, "fidelity_missing": "[]",
         "tags": [{"field": "sector", "value": "enzymes", "evidence": "酶制剂", "part": "body", "start": start,
                   "end": start + 3, "attrs": "{}"},
                  {"field": "province", "value": "Jiangsu", "evidence": "无锡", "part": "body", "start": 0, "end": 0,
                   "attrs": "{}"}]},
        {"id": 2, "url": "javascript:alert(2)", "source": "news", "source_label": "Xinhua", "title_zh": "中试平台投入运行",
         "title_en": "Pilot platform starts <!-- hidden --> operation", "translation_engine": "gloss",
         "is_platform_announcement": 0, "mentions_pilot_platform": 1, "tags": []},
        {"id": 3, "url": "/relative/path.html", "source": "ndrc", "source_label": "NDRC", "title_zh": "冬季能源保供",
         "title_en": "Winter energy supply", "translation_engine": "gloss", "is_platform_announcement": 0,
         "mentions_pilot_platform": 0, "tags": []},
    ]
    return build_digest("2025-12-22", rows, platforms=[], attribution="CC-CEDICT (CC BY-SA 4.0)",
                        sources=[{"name": "miit", "label": "MIIT", "last_ok_at": "2025-12-22T01:00:00+00:00",
                                  "status": "ok"}])


def received(handler):
    assert len(handler.envelopes) == 1
    return email.message_from_bytes(handler.envelopes[0].original_content, policy=email.policy.default)


def test_digest_is_delivered_as_multipart_alternative(smtp_server):
    controller, handler = smtp_server
    d = sample_digest()
    settings = settings_for(controller)
    html, text = render(d)
    result = send(build_message(d, html, text, settings), settings)

    assert result.accepted == ("analyst@example.com", "lead@example.com") and result.refused == ()
    assert sorted(handler.envelopes[0].rcpt_tos) == ["analyst@example.com", "lead@example.com"]
    assert handler.envelopes[0].mail_from == "digest@example.org"
    msg = received(handler)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Subject"] == "PilotWatch 2025-12-22: 0 platforms with news (0 new), 0 policies, 3 other items"
    assert re.fullmatch(r"<[^@>\s]+@example\.org>", msg["Message-ID"]) and msg["Message-ID"] == result.message_id
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg["From"] == "PilotWatch <digest@example.org>"
    # both are mailed (the envelope), neither sees the other's address
    assert msg["To"] == "undisclosed-recipients:;" and b"lead@example.com" not in handler.envelopes[0].content

    plain = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert "First list of biomanufacturing pilot platforms" in plain and "首批生物制造中试能力建设平台名单" in plain
    assert "CC-CEDICT" in plain and "CC-CEDICT" in html_part
    # crawled markup is inert in the HTML part
    assert "<script>" not in html_part and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_part
    assert "<!-- hidden -->" not in html_part and "javascript:" not in html_part
    hrefs = re.findall(r'href="([^"]*)"', html_part)
    assert "https://www.miit.gov.cn/zwgk/art/2025/art_0123.html" in hrefs
    assert all(h == "#" or re.match(r"https?://[^/\s]+", h) for h in hrefs)
    assert "/relative/path.html" not in html_part
    # and the text part carries no unsafe link either
    assert "javascript:" not in plain and "link withheld" in plain


def test_some_recipients_refused_is_delivered_and_reported(smtp_server):
    controller, handler = smtp_server
    d = sample_digest()
    settings = settings_for(controller, recipients=("analyst@example.com", "ghost@nobody.example.org"))
    result = send(build_message(d, *render(d), settings), settings)
    assert result.accepted == ("analyst@example.com",) and result.refused == ("ghost@nobody.example.org",)
    assert handler.envelopes[0].rcpt_tos == ["analyst@example.com"]


def test_all_recipients_refused_is_a_send_error(smtp_server):
    controller, handler = smtp_server
    d = sample_digest()
    settings = settings_for(controller, recipients=("ghost@nobody.example.org",))
    with pytest.raises(SendError) as err:
        send(build_message(d, *render(d), settings), settings)
    assert f"127.0.0.1:{controller.port}" in str(err.value) and "ghost@nobody.example.org" in str(err.value)
    assert "550" in str(err.value) and handler.envelopes == []


def test_login_with_the_right_password_sends(auth_server):
    controller, handler = auth_server
    d = sample_digest()
    settings = settings_for(controller, user=USER, password=PASSWORD)
    assert "logged in as pilotwatch" in check_login(settings)
    send(build_message(d, *render(d), settings), settings)
    assert received(handler)["Subject"].startswith("PilotWatch 2025-12-22")


def test_wrong_password_is_a_send_error_without_the_password(auth_server):
    controller, handler = auth_server
    wrong = "Wr0ng-Secret-Value"
    settings = settings_for(controller, user=USER, password=wrong)
    for attempt in (lambda: check_login(settings),
                    lambda: send(build_message(sample_digest(), "<p>x</p>", "x", settings), settings)):
        with pytest.raises(SendError) as err:
            attempt()
        message = str(err.value)
        assert f"127.0.0.1:{controller.port}" in message and "login as pilotwatch rejected" in message
        assert "535" in message and wrong not in message and wrong not in repr(err.value)
        assert err.value.__cause__ is None and err.value.__suppress_context__
    assert wrong not in repr(settings) and handler.envelopes == []


def test_no_login_on_a_server_requiring_it(auth_server):
    controller, handler = auth_server
    settings = settings_for(controller)
    with pytest.raises(SendError, match=r"sender digest@example.org refused \(530"):
        send(build_message(sample_digest(), "<p>x</p>", "x", settings), settings)


def test_connection_refused_names_host_and_port():
    port = free_port()  # nothing listens there any more
    settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls", user=USER, password=PASSWORD,
                            sender="digest@example.org", recipients=("a@example.com",), timeout=2)
    with pytest.raises(SendError) as err:
        check_login(settings)
    assert str(err.value).startswith(f"SMTP 127.0.0.1:{port}: connection refused")
    assert PASSWORD not in str(err.value)
    with pytest.raises(SendError, match="connection refused"):
        send(build_message(sample_digest(), "<p>x</p>", "x", settings), settings)


def test_a_silent_server_times_out():
    with socket.socket() as listener:  # accepts connections (kernel backlog) but never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        settings = SmtpSettings(host="127.0.0.1", port=port, security="none", sender="digest@example.org",
                                recipients=("a@example.com",), timeout=0.5)
        with pytest.raises(SendError, match=rf"127\.0\.0\.1:{port}: timed out after 0\.5 s"):
            check_login(settings)


def test_starttls_required_but_not_offered(smtp_server):
    controller, _ = smtp_server
    with pytest.raises(SendError, match="does not offer STARTTLS"):
        check_login(settings_for(controller, security="starttls"))


def test_ssl_against_a_plain_server_fails_clearly(smtp_server):
    controller, _ = smtp_server
    with pytest.raises(SendError, match=rf"127\.0\.0\.1:{controller.port}: TLS failed"):
        check_login(settings_for(controller, security="ssl", timeout=3))


def test_password_never_sent_in_clear_to_a_remote_host():
    settings = SmtpSettings(host="smtp.example.org", port=25, security="none", user=USER, password=PASSWORD,
                            sender="digest@example.org", recipients=("a@example.com",))
    with pytest.raises(SendError, match="refusing to send the password unencrypted") as err:
        check_login(settings)  # refused before any connection is made
    assert PASSWORD not in str(err.value)


def test_message_needs_sender_and_recipients():
    d = sample_digest()
    with pytest.raises(SendError, match="no recipients"):
        build_message(d, "h", "t", SmtpSettings(host="h", sender="digest@example.org"))
    with pytest.raises(SendError, match="sender"):
        build_message(d, "h", "t", SmtpSettings(host="h", recipients=("a@example.com",)))
    with pytest.raises(ValueError, match="security"):
        SmtpSettings(host="h", security="tls")
    assert SmtpSettings(host="h", recipients="a@example.com").recipients == ("a@example.com",)


def test_headers_carry_no_crawled_text():
    d = sample_digest()
    msg = build_message(d, "<p>x</p>", "x", SmtpSettings(host="h", sender="digest@example.org",
                                                         recipients=("a@example.com",)))
    headers = json.dumps(dict(msg.items()), ensure_ascii=False)
    assert "script" not in headers and msg["Auto-Submitted"] == "auto-generated"
