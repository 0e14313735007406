import pytest

from pilotwatch.config import ConfigError, load_config


def test_defaults_then_file_then_env_then_flags(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('db = "file.db"\ndelay = 7\n', encoding="utf-8")
    c = load_config(cfg, env={"PILOTWATCH_DELAY": "9.5", "PILOTWATCH_OBEY_ROBOTS": "false"}, overrides={"db": "flag.db"})
    assert c.db == "flag.db" and c.delay == 9.5 and c.obey_robots is False
    assert load_config(env={}).translate_engine == "gloss"


@pytest.mark.parametrize("text,message", [
    ('colour = "red"', "unknown key(s): colour"),
    ('delay = "soon"', "delay must be float"),
    ('obey_robots = "maybe"', "obey_robots must be bool"),
    ("max_bytes = -1", "must be positive"),
    ("recheck_per_run = -1", "recheck_per_run must not be negative"),
    ("db = ", "invalid TOML"),
])
def test_bad_file_names_the_key(tmp_path, text, message):
    cfg = tmp_path / "c.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg, env={})
    assert message in str(err.value)


def test_bad_env_names_the_variable():
    with pytest.raises(ConfigError, match="PILOTWATCH_RETRIES: retries must be int"):
        load_config(env={"PILOTWATCH_RETRIES": "many"})
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(env={"PILOTWATCH_NOPE": "1"})


def test_missing_file():
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config("/nonexistent/pw.toml", env={})
