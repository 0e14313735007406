"""Secrets stay out of the database, logs and doctor output; bad input gets a one-line error naming the fault."""

import pytest
from click.testing import CliRunner
from test_send import PASSWORD, USER, authenticator, start_server

from pilotwatch.cli import cli

LLM_KEY = "sk-pilotwatch-test-7f3a9c2e41"


def test_secrets_never_reach_the_database_logs_or_doctor(tmp_path):
    controller, handler = start_server(auth_required=True, auth_require_tls=False, authenticator=authenticator)
    out, log = tmp_path / "demo", tmp_path / "run.log"
    env = {"PILOTWATCH_SMTP_HOST": "127.0.0.1", "PILOTWATCH_SMTP_PORT": str(controller.port),
           "PILOTWATCH_SMTP_SECURITY": "none", "PILOTWATCH_SMTP_USER": USER,
           "PILOTWATCH_SMTP_FROM": "digest@example.org", "PILOTWATCH_RECIPIENTS": "analyst@example.com",
           "PILOTWATCH_SMTP_PASSWORD": PASSWORD,
           # an LLM engine whose endpoint is down: every article falls back to the gloss, errors get logged
           "PILOTWATCH_TRANSLATE_ENGINE": "llm", "PILOTWATCH_LLM_URL": "http://127.0.0.1:9/v1",
           "PILOTWATCH_LLM_MODEL": "local-model", "PILOTWATCH_LLM_API_KEY": LLM_KEY}
    try:
        runner = CliRunner()
        r = runner.invoke(cli, ["-vv", "--log-file", str(log), "demo", "--out", str(out), "--port", "18480"], env=env)
        assert "articles 10 new" in r.output and "(mailed to 1)" in r.output
        doctor = runner.invoke(cli, ["doctor", "--offline"], env={**env, "PILOTWATCH_DB": str(out / "pilotwatch.db")})
        mail = handler.envelopes[0].content
    finally:
        controller.stop()
    assert "translation by llm failed" in log.read_text(encoding="utf-8")  # failures were logged: the grep means something
    places = {"stdout/stderr": r.output.encode(), "log file": log.read_bytes(), "doctor": doctor.output.encode(),
              "digest mail": mail}
    for path in out.iterdir():  # the database, its WAL and the digest files
        places[path.name] = path.read_bytes()
    for secret in (PASSWORD, LLM_KEY):
        leaks = [name for name, data in places.items() if secret.encode() in data]
        assert leaks == [], f"secret found in {leaks}"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


BAD_INPUT = [
    # (arguments, environment, what the message must name, exit code)
    (lambda t: ["--config", write(t, "c.toml", "colour = 1\n"), "run"], {}, "colour", 1),
    (lambda t: ["--config", write(t, "c.toml", 'delay = "soon"\n'), "run"], {}, "delay must be float", 1),
    (lambda t: ["--config", write(t, "c.toml", "retries = [\n"), "run"], {}, "invalid TOML", 1),
    (lambda t: ["run", "--db", str(t / "x.db")], {"PILOTWATCH_MAX_BYTES": "lots"}, "PILOTWATCH_MAX_BYTES", 1),
    (lambda t: ["run", "--db", str(t / "x.db")], {"PILOTWATCH_TRANSLATE_ENGINE": "babelfish"}, "translate_engine", 1),
    (lambda t: ["run", "--db", str(t / "x.db"), "--sources",
                write(t, "s.toml", '[[source]]\nname = "a"\nbase = "https://a.example"\narticle_pattern = "x"\n'
                                   'lists = []\n')], {}, "missing required key 'label'", 1),
    (lambda t: ["run", "--db", str(t / "x.db"), "--sources", str(t / "none.toml")], {}, "cannot read sources file", 1),
    (lambda t: ["run", "--db", write(t, "blocker", "x") + "/pw.db", "--only", "ndrc"], {}, "cannot open database", 1),
    (lambda t: ["run", "--db", str(t / "x.db"), "--only", "nosuch"], {}, "nosuch", 2),
    (lambda t: ["digest", "--date", "2025-02-30", "--db", str(t / "x.db")], {}, "2025-02-30", 2),
    (lambda t: ["search", "--since", "yesterday", "x", "--db", str(t / "x.db")], {}, "yesterday", 2),
    (lambda t: ["search", "x", "--db", str(t / "none.db")], {}, "does not exist", 1),
    (lambda t: ["sql", "SELEKT 1", "--db", str(t / "none.db")], {}, "does not exist", 1),
    (lambda t: ["export", "--format", "rss", "--db", str(t / "x.db")], {}, "rss", 2),
    (lambda t: ["translate", "--engine", "ct2"], {}, "model_dir", 1),
]


@pytest.mark.parametrize("make_args,env,names,code", BAD_INPUT, ids=[str(i) for i in range(len(BAD_INPUT))])
def test_bad_input_is_a_one_line_error(tmp_path, make_args, env, names, code):
    r = CliRunner().invoke(cli, make_args(tmp_path), env=env, input="通知。")
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit)
    error_lines = [line for line in r.output.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1 and names in error_lines[0], r.output


def test_bad_fts_query_on_a_real_database_is_a_one_line_error(tmp_path):
    from store import open_store

    open_store(tmp_path / "x.db").close()
    r = CliRunner().invoke(cli, ["search", "NEAR(", "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert [line for line in r.output.splitlines() if line.startswith("Error")][0].startswith(
        "Error: cannot read the search query")


# --- secrets in indirect forms (issue 13): URL credentials, and an SMTP server echoing the AUTH exchange ---

ECHO_USER, ECHO_PASSWORD = "pilotwatch", "Tr0ub4dor-and-3-more"
LLM_USER, LLM_PASSWORD = "alice", "llm-p@ss/w0rd-5b2e"  # '@' and '/' must be %-quoted in the URL


def b64(data: str) -> str:
    import base64

    return base64.b64encode(data.encode()).decode()


def smtp_password_forms(user=ECHO_USER, password=ECHO_PASSWORD):
    from urllib.parse import quote, quote_plus

    return [password, quote(password, safe=""), quote_plus(password), b64(f"\0{user}\0{password}"),
            b64(f"{user}\0{user}\0{password}"), b64(password)]


def llm_password_forms():
    from urllib.parse import quote

    return [LLM_PASSWORD, quote(LLM_PASSWORD, safe=""), f"{LLM_USER}:", b64(f"{LLM_USER}:{LLM_PASSWORD}"), LLM_KEY]


class EchoAuthSMTP:
    """An SMTP server that rejects every login and repeats, in its 535 reply, what the client sent: the AUTH PLAIN
    line (base64 of \\0user\\0password) or, for AUTH LOGIN, the password line (base64 of the password alone)."""

    def __init__(self, mechanism: str):
        import socketserver
        import threading

        outer = self
        self.mechanism, self.echoed = mechanism, []

        class Handler(socketserver.StreamRequestHandler):
            def say(self, text):
                self.wfile.write(text.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.say("220 echo.example ESMTP")
                for raw in self.rfile:
                    line = raw.decode("ascii", "replace").rstrip("\r\n")
                    verb = line.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.say(f"250-echo.example\r\n250 AUTH {outer.mechanism}")
                    elif verb == "AUTH":
                        if outer.mechanism == "LOGIN":
                            self.say("334 UGFzc3dvcmQ6")
                            line = self.rfile.readline().decode("ascii", "replace").strip()
                        reply = f"535 5.7.8 credentials rejected: {line}"
                        outer.echoed.append(reply)
                        self.say(reply)
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("502 5.5.1 not here")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class EchoingLLM:
    """An OpenAI-compatible endpoint that fails every request with HTTP 500, repeating the Authorization header."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.auth = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.auth.append(self.headers.get("Authorization", ""))
                body = json.dumps({"error": {"message": f"bad credentials: {self.headers.get('Authorization')}"}})
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_redact_removes_every_form_of_a_secret(monkeypatch):
    from pilotwatch.redact import redact, remember_url

    monkeypatch.setenv("PILOTWATCH_SMTP_PASSWORD", ECHO_PASSWORD)
    remember_url(f"http://{LLM_USER}:llm-p%40ss%2Fw0rd-5b2e@127.0.0.1:8080/v1")
    embedded = b64("xx" + ECHO_PASSWORD + "yyy")  # the password at an odd offset inside a longer base64 blob
    for form in [*smtp_password_forms(), embedded, *(f for f in llm_password_forms() if f not in (LLM_KEY, "alice:"))]:
        text = f"535 5.7.8 rejected AUTH PLAIN {form} (try again)"
        assert form not in redact(text) and redact(text).startswith("535 5.7.8 rejected AUTH PLAIN "), form
    line = 'HTTP Request: POST http://bob:hunter2-x@10.0.0.1:8080/v1/chat/completions "HTTP/1.1 200 OK"'
    assert redact(line) == 'HTTP Request: POST http://***@10.0.0.1:8080/v1/chat/completions "HTTP/1.1 200 OK"'
    plain = "生物制造中试平台 https://www.ndrc.gov.cn/a@b.html Base64 aGVsbG8gd29ybGQ= stays"
    assert redact(plain) == plain  # nothing else is touched


def test_echoed_auth_and_url_credentials_never_reach_stderr_log_failures_or_doctor(tmp_path):
    """-vv and --log-file through a whole run: httpx's request lines carry the llm_url, the SMTP server echoes AUTH
    PLAIN, the LLM server echoes the Basic header; then doctor against AUTH PLAIN and AUTH LOGIN echoes, and
    `digest --send` (its error on stderr)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    smtp, login_smtp, llm = EchoAuthSMTP("PLAIN"), EchoAuthSMTP("LOGIN"), EchoingLLM()
    out, log = tmp_path / "demo", tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTWATCH_")}
    env.update({"PILOTWATCH_SMTP_HOST": "127.0.0.1", "PILOTWATCH_SMTP_PORT": str(smtp.port),
                "PILOTWATCH_SMTP_SECURITY": "none", "PILOTWATCH_SMTP_USER": ECHO_USER,
                "PILOTWATCH_SMTP_FROM": "digest@example.org", "PILOTWATCH_RECIPIENTS": "analyst@example.com",
                "PILOTWATCH_SMTP_PASSWORD": ECHO_PASSWORD, "PILOTWATCH_TRANSLATE_ENGINE": "llm",
                "PILOTWATCH_LLM_URL": f"http://{LLM_USER}:llm-p%40ss%2Fw0rd-5b2e@127.0.0.1:{llm.port}/v1",
                "PILOTWATCH_LLM_MODEL": "local-model", "PILOTWATCH_LLM_API_KEY": LLM_KEY})
    try:
        run = subprocess.run([sys.executable, "-m", "pilotwatch.cli", "-vv", "--log-file", str(log), "demo", "--out",
                              str(out), "--port", "18780"], env=env, capture_output=True, text=True, timeout=600,
                             cwd=Path(__file__).resolve().parents[1])
        runner, db_env = CliRunner(), {**env, "PILOTWATCH_DB": str(out / "pilotwatch.db")}
        doctors = [runner.invoke(cli, ["doctor", "--offline"], env=db_env),
                   runner.invoke(cli, ["doctor", "--offline"], env={**db_env, "PILOTWATCH_SMTP_PORT": str(login_smtp.port)})]
        send = runner.invoke(cli, ["digest", "--send", "--force", "--out", str(tmp_path / "d2")], env=db_env)
    finally:
        smtp.stop(), login_smtp.stop(), llm.stop()
    # the hostile parts did their worst, so the absence below means something
    assert "articles 10 new" in run.stdout and "NOT mailed" in run.stdout, run.stderr[-2000:]
    assert any(b64(f"\0{ECHO_USER}\0{ECHO_PASSWORD}") in e for e in smtp.echoed)
    assert any(b64(ECHO_PASSWORD) in e for e in login_smtp.echoed)
    assert f"Basic {b64(f'{LLM_USER}:{LLM_PASSWORD}')}" in llm.auth
    text = log.read_text(encoding="utf-8")
    assert f"HTTP Request: POST http://***@127.0.0.1:{llm.port}/v1/chat/completions" in text
    assert "digest not sent" in text and "535 5.7.8 credentials rejected: AUTH PLAIN ***" in text
    from store import open_store

    st = open_store(out / "pilotwatch.db")
    failures = {r["stage"]: r["message"] for r in st.query("SELECT stage, message FROM failures")}
    st.close()
    assert "535" in failures["digest"] and "translate" in failures
    assert all(d.exit_code == 1 and "FAIL SMTP login" in d.output and "535" in d.output for d in doctors)
    assert send.exit_code == 1 and "535 5.7.8 credentials rejected" in send.output
    places = {"stdout": run.stdout, "stderr": run.stderr, "log file": text, "doctor (PLAIN)": doctors[0].output,
              "doctor (LOGIN)": doctors[1].output, "digest --send": send.output}
    places.update({p.name: p.read_bytes().decode("utf-8", "replace") for p in out.iterdir()})  # db, -wal, digests
    for form in smtp_password_forms() + llm_password_forms():
        leaks = [name for name, data in places.items() if form in data]
        assert leaks == [], f"{form!r} found in {leaks}"
