from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_FIXTURES = ROOT.parent / "shared" / "fixtures-real"
SAMPLE_EXPECTED = Path(__file__).parent / "fixtures" / "sample_expected.json"


def sample_expected() -> list[dict]:
    return json.loads(SAMPLE_EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_hosts():
    """The bundled sample site served on localhost: {original host: base URL}."""
    from pilotwatch.sample_server import serve_sample_site

    with serve_sample_site() as hosts:
        yield hosts


@pytest.fixture
def real_fixtures() -> Path:
    if not REAL_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures-real is not present")
    return REAL_FIXTURES


@pytest.fixture
def config(tmp_path):
    from pilotwatch.config import load_config

    return load_config(env={}, overrides={"db": str(tmp_path / "pw.db"), "digest_dir": str(tmp_path / "digests"),
                                         "delay": 0.0, "retries": 0})
