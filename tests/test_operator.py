"""The operator's path (issue 19): a doctor that never creates a database and says what is placeholder, the sample
config with every key, and the systemd units the README installs."""

from __future__ import annotations

import configparser
import re
from dataclasses import fields
from pathlib import Path

from click.testing import CliRunner

from pilotwatch.cli import cli
from pilotwatch.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "pilotwatch.example.toml"


def test_doctor_on_a_missing_path_leaves_no_file_and_fails(tmp_path):
    db = tmp_path / "no" / "such" / "pw.db"
    r = CliRunner().invoke(cli, ["doctor", "--offline", "--db", str(db)], env={"PILOTWATCH_DIGEST_DIR": str(tmp_path)})
    assert r.exit_code == 1 and f"FAIL database: db: {db} does not exist" in r.output
    assert not db.exists() and not db.parent.exists()


def test_doctor_warns_about_the_placeholder_contact_without_failing(tmp_path):
    from store import open_store

    db = tmp_path / "pw.db"
    open_store(db).close()
    env = {"PILOTWATCH_DIGEST_DIR": str(tmp_path)}
    r = CliRunner().invoke(cli, ["doctor", "--offline", "--db", str(db)], env=env)
    assert "WARN user agent: user_agent still has the placeholder contact" in r.output
    assert r.exit_code == 0 and "all checks passed (1 warning)" in r.output
    mine = CliRunner().invoke(cli, ["doctor", "--offline", "--db", str(db)],
                              env={**env, "PILOTWATCH_USER_AGENT": "PilotWatch/0.1 (+https://pw.acme.test; ops@acme.test)"})
    assert "ok   user agent: PilotWatch/0.1" in mine.output and "warning" not in mine.output


def test_the_example_config_has_every_key_and_doctor_accepts_it(tmp_path, monkeypatch):
    text = EXAMPLE.read_text(encoding="utf-8")
    missing = [f.name for f in fields(Config)
               if not re.search(rf"^(# )?(\[\[)?{f.name}(\]\]| =)", text, re.M)]
    assert missing == []
    config = load_config(EXAMPLE, env={})
    assert config.user_agent != load_config(None, env={}).user_agent  # the sample asks for a real contact
    monkeypatch.chdir(tmp_path)  # relative paths resolve in the working directory, as under the systemd unit
    from store import open_store

    open_store(tmp_path / "pilotwatch.db").close()
    r = CliRunner().invoke(cli, ["--config", str(EXAMPLE), "doctor", "--offline"], env={})
    assert r.exit_code == 0, r.output
    assert "ok   database: pilotwatch.db" in r.output and "WARN user agent" in r.output  # example.org is no contact
    # the subscriptions the sample shows, uncommented, load too
    uncommented = re.sub(r"^# ?(\[\[subscriptions\]\]|\w+ = .*)$", r"\1", text, flags=re.M)
    (tmp_path / "subs.toml").write_text(uncommented, encoding="utf-8")
    subs = load_config(tmp_path / "subs.toml", env={"SLACK_OPENINGS_URL": "https://hooks.slack.com/services/T/B/x"})
    assert [s.name for s in subs.subscriptions] == ["east-food", "openings"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(ROOT / "deploy" / name, encoding="utf-8")
    return parser


def test_the_service_runs_as_its_own_user_in_its_state_directory():
    service = unit("pilotwatch.service")["Service"]
    assert service["User"] == "pilotwatch" and service["WorkingDirectory"] == "/var/lib/pilotwatch"
    assert service["StateDirectory"] == "pilotwatch" and service["Type"] == "oneshot"
    assert service["EnvironmentFile"].lstrip("-") == "/etc/pilotwatch/pilotwatch.env"
    exec_start = service["ExecStart"].split()
    assert exec_start[0] == "/opt/pilotwatch/.venv/bin/pilotwatch" and exec_start[-1] == "run"
    config = exec_start[exec_start.index("--config") + 1]
    log = exec_start[exec_start.index("--log-file") + 1]
    assert "/var/log/pilotwatch" in service["ReadWritePaths"] and log.startswith("/var/log/pilotwatch/")
    timer = unit("pilotwatch.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme[readme.index("### Install on a server"):]
    assert f"{config}" in install and "install -m 0600 /dev/null /etc/pilotwatch/pilotwatch.env" in install
    assert "deploy/pilotwatch.service" in install and "deploy/logrotate" in install
    assert log in (ROOT / "deploy" / "logrotate").read_text(encoding="utf-8")


def test_doctor_says_why_a_host_is_unreachable(tmp_path, monkeypatch):
    import socket

    from pilotwatch.health import doctor

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    reach = [c for c in doctor(None, overrides={"db": str(tmp_path / "pw.db")}) if c.what.startswith("reach ")]
    assert len(reach) == 5 and not any(c.ok for c in reach)
    assert all("Name or service not known" in c.detail and c.detail.count("network") == 1 for c in reach)
