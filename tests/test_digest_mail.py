"""The daily digest by mail, end to end: the pipeline crawls the sample site and mails the day's digest to a real
SMTP server on localhost; a second run does not mail it again; a failing server leaves the digest on disk."""

import email
from dataclasses import replace
from email import policy

from click.testing import CliRunner
from test_pipeline import local_sources, run_once
from test_send import start_server

from pilotwatch.cli import cli


def mail_config(config, port):
    return replace(config, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                   smtp_from="PilotWatch <digest@example.org>", recipients=("analyst@example.com",))


def test_run_mails_the_digest_once(config, sample_hosts, tmp_path):
    controller, handler = start_server()
    try:
        cfg = mail_config(config, controller.port)
        report = run_once(cfg, local_sources(sample_hosts), tmp_path)
        assert report.digest_sent == 1 and "(mailed to 1)" in report.summary() and report.exit_code == 0
        assert len(handler.envelopes) == 1
        msg = email.message_from_bytes(handler.envelopes[0].content, policy=policy.default)
        assert msg["Subject"].startswith("PilotWatch ") and "11 platforms with news (11 new), 4 policies" in msg["Subject"]
        assert msg["Message-ID"] and msg["Date"]
        types = [part.get_content_type() for part in msg.walk()]
        assert "text/plain" in types and "text/html" in types
        html = msg.get_body(("html",)).get_content()
        assert 'href="http://127.0.0.1:' in html and "gloss" in html  # absolute links; glosses labelled

        again = run_once(cfg, local_sources(sample_hosts), tmp_path)  # same day: not mailed twice
        assert again.digest_sent == 0 and len(handler.envelopes) == 1

        runner = CliRunner()
        args = ["digest", "--db", cfg.db, "--out", str(tmp_path / "d2"), "--send"]
        env = {"PILOTWATCH_SMTP_HOST": "127.0.0.1", "PILOTWATCH_SMTP_PORT": str(controller.port),
               "PILOTWATCH_SMTP_SECURITY": "none", "PILOTWATCH_SMTP_FROM": "digest@example.org",
               "PILOTWATCH_RECIPIENTS": "analyst@example.com", "PILOTWATCH_TIMEZONE": cfg.timezone}
        r = runner.invoke(cli, args, env=env)
        assert r.exit_code == 1 and "already sent" in r.output
        r = runner.invoke(cli, args + ["--force"], env=env)
        assert r.exit_code == 0 and "sent to 1" in r.output and len(handler.envelopes) == 2
    finally:
        controller.stop()


def test_a_failing_smtp_server_leaves_the_digest_on_disk(config, sample_hosts, tmp_path):
    cfg = mail_config(config, 9)  # nothing listens on port 9
    report = run_once(cfg, local_sources(sample_hosts), tmp_path)
    assert report.digest_send_failed == 1 and report.exit_code == 1 and "NOT mailed" in report.summary()
    assert report.digest_paths[0].exists() and report.digest_paths[1].exists()
    from store import open_store

    st = open_store(cfg.db)
    failure = st.query("SELECT stage, kind, message FROM failures WHERE stage = 'digest'")
    assert failure and "127.0.0.1:9" in failure[0]["message"]
    assert st.query("SELECT sent_at FROM digests")[0]["sent_at"] is None
    st.close()


def test_doctor_checks_smtp_login_and_never_prints_secrets(tmp_path):
    from test_send import PASSWORD, USER, authenticator

    from store import open_store

    open_store(tmp_path / "pw.db").close()  # doctor reports a missing database (and never creates one)
    controller, _ = start_server(auth_required=True, auth_require_tls=False, authenticator=authenticator)
    try:
        env = {"PILOTWATCH_DB": str(tmp_path / "pw.db"), "PILOTWATCH_SMTP_HOST": "127.0.0.1",
               "PILOTWATCH_SMTP_PORT": str(controller.port), "PILOTWATCH_SMTP_SECURITY": "none",
               "PILOTWATCH_SMTP_USER": USER, "PILOTWATCH_SMTP_FROM": "digest@example.org",
               "PILOTWATCH_RECIPIENTS": "analyst@example.com", "PILOTWATCH_SMTP_PASSWORD": PASSWORD,
               "PILOTWATCH_TRANSLATE_ENGINE": "llm", "PILOTWATCH_LLM_URL": "http://127.0.0.1:9/v1",
               "PILOTWATCH_LLM_MODEL": "m", "PILOTWATCH_LLM_API_KEY": "sk-very-secret-key"}
        r = CliRunner().invoke(cli, ["doctor", "--offline"], env=env)
        assert "ok   SMTP login" in r.output and "ok   database" in r.output
        assert "PILOTWATCH_LLM_API_KEY is set" in r.output
        assert PASSWORD not in r.output and "sk-very-secret-key" not in r.output
        bad = CliRunner().invoke(cli, ["doctor", "--offline"], env={**env, "PILOTWATCH_SMTP_PASSWORD": "wrong-pass"})
        assert bad.exit_code == 1 and "FAIL SMTP login" in bad.output and "wrong-pass" not in bad.output
    finally:
        controller.stop()
