from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_FIXTURES = ROOT.parent / "shared" / "fixtures-real"
SAMPLE_EXPECTED = Path(__file__).parent / "fixtures" / "sample_expected.json"


EXTRACT_REAL = Path(__file__).parent / "fixtures" / "extract_real.jsonl"


def sample_expected() -> list[dict]:
    return json.loads(SAMPLE_EXPECTED.read_text(encoding="utf-8"))


def real_texts(n: int = 60) -> list[str]:
    """Titles and bodies of the first n Chinese items of the labelled real set (for behaviour checks, not scores)."""
    texts: list[str] = []
    with open(EXTRACT_REAL, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            if item["lang"].startswith("zh"):
                texts += [item["title"], item["text"]]
            if len(texts) >= 2 * n:
                break
    return texts


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
