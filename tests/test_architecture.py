"""Data flows one way; only pilotwatch/pipeline.py wires the stages, and start-up stays light."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["crawler", "translate", "extract", "store", "registry", "digest"]
LEAVES = ["zhtext"]  # Chinese text (numerals, dates, Han ranges, folding): every stage may import it; it imports none
FIRST_PARTY = {*STAGES, *LEAVES, "pilotwatch"}


def imported_top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods.add(node.module.split(".")[0])
    return mods


@pytest.mark.parametrize("stage", STAGES)
def test_stage_packages_do_not_import_each_other(stage):
    offenders = []
    for f in (ROOT / stage).rglob("*.py"):
        bad = imported_top_modules(f) & (FIRST_PARTY - {stage} - set(LEAVES))
        offenders += [f"{f.relative_to(ROOT)} imports {m}" for m in sorted(bad)]
    assert offenders == []


@pytest.mark.parametrize("leaf", LEAVES)
def test_leaf_packages_import_only_the_standard_library(leaf):
    offenders = []
    for f in (ROOT / leaf).rglob("*.py"):
        bad = imported_top_modules(f) - set(sys.stdlib_module_names)
        offenders += [f"{f.relative_to(ROOT)} imports {m}" for m in sorted(bad)]
    assert offenders == []


def test_only_the_pipeline_wires_stages():
    wiring = []
    for f in (ROOT / "pilotwatch").rglob("*.py"):
        stages = imported_top_modules(f) & {"crawler", "translate", "extract", "registry", "digest"}
        if stages:
            wiring.append(f.name)
    # pipeline wires the run and crawl.py is its crawl step; health reads source status and runs the doctor's checks;
    # cli only for error types, the sources loader, the sector vocabulary and one-off commands; research joins the
    # glossary and the store; platforms wires the registry (rebuild, evidence English) and platforms_cli reads the
    # tagger's vocabularies for its filters; sources_cli runs one source's rules on one page without storing;
    # translation is the pipeline's translation step; alerts is its delivery step (subscriptions' shares, feeds,
    # e-mails and webhooks); config checks subscriptions against the tagger's sectors, the registry's events and the
    # webhook URL rule, and places reads the tagger's province table
    assert sorted(set(wiring)) == ["alerts.py", "cli.py", "config.py", "crawl.py", "health.py", "pipeline.py",
                                   "places.py", "platforms.py",
                                   "platforms_cli.py", "research.py", "sources_cli.py", "translation.py"]


def test_the_pipeline_stays_thin():
    lines = (ROOT / "pilotwatch" / "pipeline.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"pilotwatch/pipeline.py has {lines} lines: move decisions into the stage packages"


def test_crawl_decisions_are_pure():
    """crawler.policy decides; it must not reach for the network, the store or the clock."""
    mods = imported_top_modules(ROOT / "crawler" / "policy.py")
    assert not mods & {"httpx", "store", "sqlite3", "time", "socket"}
    assert "datetime.now(" not in (ROOT / "crawler" / "policy.py").read_text(encoding="utf-8")


def test_help_is_light():
    code = ("import sys, pilotwatch.cli as c; from click.testing import CliRunner; "
            "r = CliRunner().invoke(c.cli, ['--help']); assert r.exit_code == 0, r.output; "
            "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'jieba', 'trafilatura', 'httpx', 'sqlite_utils', "
            "'bs4', 'jinja2') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("stage", ["translate", "extract"])
def test_importing_nlp_stages_loads_no_data(stage):
    code = f"import sys, {stage}; print(','.join(m for m in ('jieba', 'ahocorasick', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""
