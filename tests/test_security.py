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
