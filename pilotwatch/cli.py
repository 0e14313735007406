"""The `pilotwatch` command: a thin click layer over the library.

Only click and the config module load at start-up; the stages (httpx, trafilatura, jieba, sqlite) are imported
inside the commands, so `pilotwatch --help` stays fast.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from pathlib import Path

import click

from extract.model import SECTOR_LABELS  # the tagger's vocabulary: a plain dict, no NLP data loads

from .config import SECRET_SMTP_PASSWORD, Config, ConfigError, load_config
from .places import Province
from .platforms_cli import platforms
from .subscriptions_cli import subscriptions

log = logging.getLogger("pilotwatch")


def _setup_logging(verbose: int, quiet: bool, log_file: str | None) -> None:
    level = logging.ERROR if quiet else logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, stream=sys.stderr, format=fmt)
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(fmt))
        handler.setLevel(logging.INFO)  # the file keeps the whole story even when the terminal is quiet
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(min(level, logging.INFO))
    from .redact import install_log_filter

    install_log_filter()  # on the handlers: records of every logger (httpx's request lines too) are redacted


def _config(ctx: click.Context, **overrides) -> Config:
    try:
        return load_config(ctx.obj["config_path"], overrides=overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pilotwatch")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="PILOTWATCH_CONFIG",
              help="TOML config file (keys as in pilotwatch/defaults.toml).")
@click.option("-v", "--verbose", count=True, help="Log more to stderr (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="For cron: only errors on stderr; the summary line only on failure.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Also log (at info level) to this file.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool, log_file: str | None) -> None:
    """PilotWatch: bilingual monitor of China's biomanufacturing pilot-scale platforms.

    Crawls Xinhua, Science and Technology Daily, MIIT, NDRC and the gov.cn policy library, translates (offline gloss
    by default), tags platform announcements and writes a daily digest. Data goes to one SQLite file.

    Example:

        pilotwatch demo              # offline, against the bundled sample site

        pilotwatch run --db pw.db    # the live sources
    """
    ctx.obj = {"config_path": config_path, "quiet": quiet}
    _setup_logging(verbose, quiet, log_file)


def _open_store(config: Config, *, must_exist: bool = False):
    from store import StoreError, open_store

    if must_exist and not Path(config.db).exists():
        raise click.ClickException(f"database {config.db} does not exist (run `pilotwatch run` first)")
    try:
        return open_store(config.db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _execute(config: Config, *, sources, mode: str, digest_dir: str | None = None) -> None:
    from .crawl import Progress
    from .health import preflight
    from .lock import RunLocked, run_lock
    from .pipeline import build_client, run_pipeline

    class Bars(Progress):
        """click progress bars on stderr, one per count of a stage: "crawling ndrc (2/5)  articles  [###   ] 12/40
        30%  00:01:10". A finished bar stays as a line; a log record starts on a line of its own."""

        bar = None
        label = ""
        drawn = False  # the cursor stands at the end of a bar's line

        def stage(self, label: str) -> None:
            self.close()
            self.label = label

        def count(self, total: int, what: str) -> None:
            self.close()
            if total:  # nothing to count: no bar
                self.bar = click.progressbar(length=total, label=f"{self.label}  {what}", file=sys.stderr,
                                             show_pos=True, show_percent=True, show_eta=True)
                self.bar.__enter__()
                self.drawn = True

        def advance(self, n: int = 1) -> None:
            if self.bar is not None:
                self.bar.update(n)
                self.drawn = True

        def grow(self, n: int) -> None:
            if self.bar is not None:  # sources crawled side by side each add their articles to the one bar
                self.bar.length += n
                self.bar.update(0)

        def close(self) -> None:
            if self.bar is not None:
                self.bar.__exit__(None, None, None)  # ends the line, shows the cursor again
                self.bar, self.drawn = None, False

        def below(self, record: logging.LogRecord) -> bool:
            if self.drawn:
                sys.stderr.write("\n")
                self.drawn = False
            return True

    problems = preflight(config, digest_dir)  # before the run row exists: nothing fails after the crawl instead
    if problems:
        raise click.ClickException("; ".join(problems))
    quiet = click.get_current_context().obj.get("quiet", False)
    # progress bars only for a person at a terminal; cron and pipes get the summary line alone
    bars = Bars() if sys.stderr.isatty() and not quiet else None
    on_stderr = [h for h in logging.getLogger().handlers if bars and getattr(h, "stream", None) is sys.stderr]
    for handler in on_stderr:
        handler.addFilter(bars.below)
    try:
        with run_lock(config.db):
            store = _open_store(config)
            try:
                with build_client(config) as client:
                    report = run_pipeline(config, sources=sources, client=client, store=store, mode=mode,
                                          digest_dir=digest_dir, progress=bars)
            finally:
                store.close()
    except RunLocked as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bars:
            bars.close()
        for handler in on_stderr:
            handler.removeFilter(bars.below)
    if report.offline:  # the one line that says why nothing could be crawled, also under --quiet
        click.echo(report.offline, err=True)
    if not quiet or report.exit_code:
        click.echo(report.summary())
    sys.exit(report.exit_code)


def _load_sources(config: Config):
    from crawler import SourceConfigError, load_sources

    try:
        return load_sources(config.sources_file or None)
    except SourceConfigError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option("--db", help="SQLite file (config key db).")
@click.option("--digest-dir", help="Folder for the digest files (config key digest_dir).")
@click.option("--sources", "sources_file", help="Source registry TOML (config key sources_file).")
@click.option("--only", multiple=True, help="Crawl only this source name (repeatable).")
@click.pass_context
def run(ctx: click.Context, db: str | None, digest_dir: str | None, sources_file: str | None,
        only: tuple[str, ...]) -> None:
    """Crawl every configured source, translate, tag, store, and write today's digest.

    Prints one summary line on stdout; logs go to stderr. Exit code 0 when nothing failed, 1 when something
    failed, 2 when nearly all sources failed. Running it again stores nothing twice.

    Example:

        pilotwatch run --db /var/lib/pilotwatch/pw.db --digest-dir /var/lib/pilotwatch/digests
    """
    config = _config(ctx, db=db, digest_dir=digest_dir, sources_file=sources_file)
    sources = _load_sources(config)
    if only:
        unknown = set(only) - {s.name for s in sources}
        if unknown:
            raise click.BadParameter(f"unknown source(s): {', '.join(sorted(unknown))}", param_hint="--only")
        sources = [s for s in sources if s.name in only]
    _execute(config, sources=sources, mode="live")


@cli.command()
@click.option("--out", default="pilotwatch-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo database and digest.")
@click.option("--port", default=18080, show_default=True, type=click.IntRange(1024, 65530),
              help="First of the five localhost ports the sample site is served on (fixed, so re-runs see the same URLs).")
@click.pass_context
def demo(ctx: click.Context, out: str, port: int) -> None:
    """Run the whole pipeline offline against the bundled sample site.

    Starts a localhost HTTP server per sample host (news.cn, stdaily.com, MIIT, NDRC, gov.cn look-alikes written
    for PilotWatch), crawls it with the real crawler, and writes OUT/pilotwatch.db and OUT/digest-<today>.html/.txt.
    Running it again adds nothing.

    Example:

        pilotwatch demo --out pilotwatch-demo
    """
    from dataclasses import replace

    from .sample_server import serve_sample_site

    out_dir = Path(out)
    config = _config(ctx, db=str(out_dir / "pilotwatch.db"), digest_dir=str(out_dir), delay=0.0)
    sources = _load_sources(config)
    with contextlib.ExitStack() as stack:
        try:
            hosts = stack.enter_context(serve_sample_site(port_base=port))
        except OSError as exc:
            raise click.ClickException(f"{exc} (is another demo running? try --port)") from None
        missing = [s.name for s in sources if s.host not in hosts]
        if missing:
            raise click.ClickException(f"the sample site has no pages for source(s): {', '.join(missing)}")
        local = [replace(s.rebased(hosts), delay=0.0) for s in sources]
        _execute(config, sources=local, mode="demo")


@cli.group(invoke_without_command=True)
@click.option("--db", help="SQLite file (config key db).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def sources(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Show each source's health: last success, failures in a row, back-off, and every list's item counts.

    A list that parses to zero items counts as a failure (a broken selector, not a quiet day). `sources test`
    reads a source's pages now, with its rules, and stores nothing.

    Example:

        pilotwatch sources --db pilotwatch.db

        pilotwatch sources test ndrc
    """
    if ctx.invoked_subcommand is not None:
        return
    import json
    from datetime import UTC, datetime

    from .health import format_sources, sources_report

    config = _config(ctx, db=db)
    configured = _load_sources(config)
    store = _open_store(config, must_exist=True)
    try:
        rows = sources_report(configured, store.source_health(), datetime.now(UTC))
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    for line in [] if as_json else format_sources(rows):
        click.echo(line)


@sources.command("test")
@click.argument("name")
@click.argument("target", required=False)
@click.option("--sources", "sources_file", help="Source registry TOML (config key sources_file).")
@click.option("--list", "list_choice", metavar="LIST",
              help="A list of the source (its name or 1-based number): a file TARGET is read as its response, a URL "
                   "TARGET as one of its pages; without TARGET only this list is read.")
@click.option("--all-lists", is_flag=True, help="Without TARGET: read the fallback lists too.")
@click.option("--url", "page_url", metavar="URL",
              help="The URL a file TARGET was saved from (default: the list's URL, or the source's base + /).")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(0, 1000), help="Links shown per list.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the same facts.")
@click.pass_context
def sources_test(ctx: click.Context, name: str, target: str | None, sources_file: str | None,
                 list_choice: str | None, all_lists: bool, page_url: str | None, limit: int, as_json: bool) -> None:
    """Read source NAME's lists and one article now, with its rules, and show what they find; store nothing.

    Without TARGET: each primary list (URL, HTTP status, links found, the first --limit as date / title / URL),
    then the first article found (title, dates, issuer, 文号, body start, attachments). TARGET may be one list or
    article URL of the source, or a saved file (an article page, or with --list a list response). Exit code 1
    when a list fails or finds no article links, or the article fails or has no title or body: what a changed
    site template looks like. Nothing is written; no database is opened.

    Example:

    \b
        pilotwatch sources test ndrc
        pilotwatch sources test govcn https://www.gov.cn/zhengce/content/202510/content_7046518.htm
        pilotwatch sources test miit saved-list.json --list 1
    """
    from .sources_cli import source_test

    config = _config(ctx, sources_file=sources_file)
    as_json = as_json or bool(ctx.parent and ctx.parent.params.get("as_json"))  # `sources --json test …` too
    sys.exit(source_test(config, _load_sources(config), name, target, list_choice=list_choice, page_url=page_url,
                         all_lists=all_lists, limit=limit, as_json=as_json))


@cli.command()
@click.option("--offline", is_flag=True, help="Skip the checks that need the network (source reachability).")
@click.option("--db", help="SQLite file to check (config key db); never created.")
@click.pass_context
def doctor(ctx: click.Context, offline: bool, db: str | None) -> None:
    """Check the configuration, database, sources, translation engine, SMTP login and subscriptions; say what is
    wrong. Reads only: a missing database is reported, never created.

    Secrets are never printed: only whether they are set. Exit 1 when a check failed (WARN lines do not count).

    Example:

        pilotwatch --config /etc/pilotwatch/pilotwatch.toml doctor --db /var/lib/pilotwatch/pilotwatch.db
    """
    from .health import doctor as checks

    problems = warnings = 0
    for check in checks(ctx.obj["config_path"], offline=offline, overrides={"db": db}):
        problems += not check.ok
        warnings += check.ok and check.warn
        click.echo(str(check))
    more = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
    click.echo(f"all checks passed{more}" if not problems else f"{problems} problem(s) found{more}")
    sys.exit(1 if problems else 0)


@cli.command("translate")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--engine", type=click.Choice(["gloss", "ct2", "hf", "llm"]),
              help="Engine to use (default: config key translate_engine).")
@click.option("--check/--no-check", default=True, show_default=True,
              help="Report numbers and agency names missing from the English (on stderr).")
@click.pass_context
def translate_cmd(ctx: click.Context, file, engine: str | None, check: bool) -> None:
    """Translate Chinese text from FILE (or stdin) to English on stdout, paragraph by paragraph.

    Uses the same engines, glossary and fidelity check as the pipeline; a gloss is labelled as such on stderr.

    Example:

        echo "工业和信息化部发布通知。" | pilotwatch translate

        pilotwatch translate --engine ct2 notice.txt
    """
    import translate

    from .translation import load_engine  # not .pipeline: that imports the crawler, store and tagger (~0.5 s)

    config = _config(ctx, translate_engine=engine)
    text = file.read()
    try:
        engine_ = load_engine(config)
        english = translate.translate_text(engine_, text)
    except translate.TranslateError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(english)
    if engine_.engine == "gloss":
        click.echo("(gloss: word-by-word dictionary gloss, not a translation; CC-CEDICT, CC BY-SA 4.0)", err=True)
    if check:
        missing = translate.check(text, english)
        if missing:
            click.echo(f"fidelity: missing in English: {', '.join(missing)}", err=True)


def _filters(site, since, until, sector, province) -> dict:
    return {"source": site, "since": since.date().isoformat() if since else None,
            "until": until.date().isoformat() if until else None, "sector": sector,
            "province": province[0] if province else None}  # (English name as tagged, code)


_DATE = click.DateTime(formats=["%Y-%m-%d"])
SECTORS = list(SECTOR_LABELS)


def _filter_options(f):
    for opt in reversed([
        click.option("--site", help="Only this source (xinhua, stdaily, miit, ndrc, govcn)."),
        click.option("--since", type=_DATE, help="Published on or after YYYY-MM-DD."),
        click.option("--until", type=_DATE, help="Published on or before YYYY-MM-DD."),
        click.option("--sector", type=click.Choice(SECTORS), help="Tagged with this sector."),
        click.option("--province", type=Province(), help="Tagged with this province: Shandong, \"Shandong "
                                                         "Province\", 山东, 山东省 or its GB/T 2260 code (370000, 37)."),
    ]):
        f = opt(f)
    return f


def _open_reader(config: Config):
    """The store for search and export: read-only (immutable on read-only media), never migrating a file that is
    not a PilotWatch database. An older PilotWatch database is upgraded first, as any open did, when writable."""
    import os

    from store import StoreError, open_store

    if not Path(config.db).exists():
        raise click.ClickException(f"database {config.db} does not exist (run `pilotwatch run` first)")
    try:
        store = open_store(config.db, readonly=True)
        pending = store.pending_migrations()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if not pending:
        return store
    store.close()
    if not (os.access(config.db, os.W_OK) and os.access(Path(config.db).resolve().parent, os.W_OK)):
        raise click.ClickException(f"database {config.db} needs upgrading ({', '.join(pending)}) and is read-only "
                                   "here: open it once where it is writable (e.g. `pilotwatch sources --db …`)")
    return _open_store(config)


@cli.command()
@click.argument("query")
@_filter_options
@click.option("--fts", is_flag=True, help="Read the English as FTS5 syntax (A OR B, NOT, NEAR(…), enzym*).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--order", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Best matches first, or newest first (by publication date).")
@click.option("--db", help="SQLite file (config key db).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def search(ctx: click.Context, query: str, site, since, until, sector, province, fts: bool, limit: int, order: str,
           db: str | None, as_json: bool) -> None:
    """Full-text search in Chinese and English.

    Chinese words match anywhere in the text (生物制造 finds 合成生物制造业) and agency names match their other
    spellings from the glossary (发改委 finds 国家发展改革委). A Chinese term of several words also matches with
    a few characters between its words, in any order (中试平台 finds 中试能力建设平台; quote it, "中试平台", for
    the exact string only). English words are stemmed (platforms finds platform). Words are plain words, all of
    which must match ("exact phrase" in quotes; pilot-scale is the phrase "pilot scale"); with --fts the English
    is FTS5 syntax: enzym*, A OR B, NOT, NEAR(a b). At most 200 characters and 32 terms.

    ★ marks a platform announcement: an article the tagger scored at or above announcement_threshold as
    announcing a pilot-scale platform (a list, a call, an opening), not one that only mentions one.

    Example:

        pilotwatch search 中试平台 --province Shandong --since 2025-01-01

        pilotwatch search "pilot-scale platform" --sector enzymes --json

        pilotwatch search --fts "enzym* OR fermentation"
    """
    from store import SearchError

    from .research import json_line, terminal_safe
    from .research import search as run_search

    config = _config(ctx, db=db)
    store = _open_reader(config)
    try:
        rows = run_search(store, query, fts=fts, limit=limit, order=order,
                          **_filters(site, since, until, sector, province))
    except SearchError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    for row in rows:
        if as_json:
            click.echo(json_line(row))
        else:
            flag = "★ " if row["is_platform_announcement"] else ""
            click.echo(terminal_safe(f"{flag}{(row['published_at'] or '')[:10]}  {row['source']:8} "
                                     f"{row['title_en'] or ''}") + "\n    " +
                       "\n    ".join(terminal_safe(row[k] or "") for k in ("title_zh", "snippet", "url")))
    if not rows and not as_json:
        click.echo("no matches", err=True)
    elif not as_json and any(row["is_platform_announcement"] for row in rows):
        click.echo("★ = platform announcement (tagged as announcing a pilot-scale platform); "
                   f"{'best matches' if order == 'relevance' else 'newest'} first", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "atom"]), default="csv", show_default=True)
@click.option("--all", "everything", is_flag=True, help="All articles, not only platform announcements.")
@_filter_options
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@click.option("--self-url", help="Atom: the URL the feed will be served at (its rel=self link).")
@click.option("--db", help="SQLite file (config key db).")
@click.pass_context
def export(ctx: click.Context, fmt: str, everything: bool, site, since, until, sector, province,
           out_path: str | None, self_url: str | None, db: str | None) -> None:
    """Export platform announcements (or --all articles) as CSV, JSON Lines or an Atom feed.

    Serve the Atom file from any web server (or a file:// URL) and subscribe a feed reader to it.

    Example:

        pilotwatch export --format atom --out announcements.xml --self-url https://example.org/pw/announcements.xml

        pilotwatch export --all --format jsonl --since 2025-06-01 > articles.jsonl
    """
    from . import research

    if self_url is not None and (fmt != "atom" or not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", self_url)):
        raise click.BadParameter("an absolute http(s) URL, with --format atom", param_hint="--self-url")
    config = _config(ctx, db=db)
    store = _open_reader(config)
    try:
        rows = store.export_rows(announcements_only=not everything, **_filters(site, since, until, sector, province))
    finally:
        store.close()
    if fmt == "csv":
        text = research.to_csv(rows)
    elif fmt == "jsonl":
        text = research.to_jsonl(rows)
    else:
        what = "articles" if everything else "platform announcements"
        text = research.to_atom(rows, title=f"PilotWatch: biomanufacturing pilot-scale {what}",
                                feed_id=f"urn:pilotwatch:{what.replace(' ', '-')}", self_url=self_url)
    if out_path:
        Path(out_path).write_text(text, encoding="utf-8", newline="")  # CSV rows end in CRLF as written
        click.echo(f"{len(rows)} rows → {out_path}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("statement")
@click.option("--db", help="SQLite file (config key db).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row.")
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0, min_open=True),
              help="Stop the query after this many seconds.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Print at most this many rows (a note on stderr says when more were cut).")
@click.pass_context
def sql(ctx: click.Context, statement: str, db: str | None, as_json: bool, time_limit: float,
        max_rows: int) -> None:
    """Run one read-only SQL statement against the database: SELECT, WITH, and PRAGMAs that only report.

    Writes, ATTACH, VACUUM and settings are refused; a query stops after --time-limit seconds; at most --max-rows
    rows are printed; BLOBs show as X'hex' (up to 64 bytes) or their size; control characters are not printed.

    Example:

        pilotwatch sql "SELECT provinces, count(*) FROM platform_announcements GROUP BY 1"
    """
    from store import StoreError, run_readonly_query

    from .research import cell, cell_text, json_line

    config = _config(ctx, db=db)
    try:
        result = run_readonly_query(config.db, statement, max_rows=max_rows, time_limit=time_limit)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        for r in result.rows:
            click.echo(json_line({c: cell(v) for c, v in zip(result.columns, r, strict=True)}))
    else:
        click.echo("\t".join(cell_text(c) for c in result.columns))
        for r in result.rows:
            click.echo("\t".join(cell_text(v) for v in r))
    if result.truncated:
        click.echo(f"(stopped at {max_rows} rows: --max-rows)", err=True)


@cli.command("tag")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Announcement score from which an item is an announcement (default: the model's, 0.5).")
def tag_cmd(file, threshold: float | None) -> None:
    """Tag JSON Lines records with the pipeline's tagger: one JSON line out per line in.

    Each input line: {"id", "title", "text", "published" (YYYY-MM-DD or null), "url" (or null)}. Each output line:
    {"id", "is_platform_announcement", "announcement_score", "mentions_pilot_platform", "sectors", "provinces",
    "cities", "hosts", "issuers", "targets", "dates", "money", "places_mentioned", "evidence", "platforms", "reasons",
    "flags"}: "platforms" holds one record per platform mentioned (name, hosts, sectors, province/city/county with
    GB/T 2260 codes, event, level, evidence), the article-level lists are their union; "flags" names input that was
    not tagged as intended (empty, too_long, binary, other_language). A line that is not a JSON object yields
    {"id", "line", "error"} in its place (and exit code 1), so output stays aligned with input.

    Example:

        echo '{"id": 1, "title": "山东公布首批生物制造中试平台", "text": "…", "published": "2025-12-19"}' | pilotwatch tag
    """
    import json

    from extract.record import tag_record

    failed = 0
    for lineno, line in enumerate(file, 1):
        if not line.strip():
            continue
        record_id = None
        try:
            record = json.loads(line)
            record_id = record.get("id") if isinstance(record, dict) else None
            out = tag_record(record, threshold=threshold)
        except (json.JSONDecodeError, ValueError) as exc:
            failed += 1
            click.echo(f"line {lineno}: {exc}", err=True)
            out = {"id": record_id, "line": lineno, "error": str(exc)}
        click.echo(json.dumps(out, ensure_ascii=False))
    if failed:
        sys.exit(1)


@cli.group()
def model() -> None:
    """Local translation models (opus-mt-zh-en for the ct2 and hf engines)."""


@model.command("install")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--dest", default="models", show_default=True, type=click.Path(file_okay=False),
              help="Folder that receives the CTranslate2 conversion.")
def model_install(path: str, dest: str) -> None:
    """Validate an opus-mt-zh-en folder and, for a Hugging Face Marian folder, convert it to CTranslate2 int8.

    Prints the settings to use. The conversion needs the 'hf' extra (transformers, torch) once; running it needs
    only the 'mt' extra (ctranslate2, sentencepiece).

    Example:

        pilotwatch model install ~/Downloads/opus-mt-zh-en --dest models
    """
    import translate
    from translate.models import install_model, validate_model_dir

    try:
        installed = install_model(path, dest)
        info = validate_model_dir(installed)
    except translate.TranslateError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"model ready: {installed}")
    click.echo(f'set in your config:  translate_engine = "{info.kind}"   model_dir = "{installed}"')


@cli.command("digest")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="Day to digest (default: today).")
@click.option("--db", help="SQLite file (config key db).")
@click.option("--out", "out_dir", help="Folder for the digest files (config key digest_dir).")
@click.option("--send", is_flag=True, help="Also mail it (smtp_* and recipients in config; password from "
                                          f"{SECRET_SMTP_PASSWORD}).")
@click.option("--force", is_flag=True, help="With --send: mail it even if this day's digest was already sent.")
@click.pass_context
def digest_cmd(ctx: click.Context, day, db: str | None, out_dir: str | None, send: bool, force: bool) -> None:
    """Write the digest (HTML + plain text) of the articles first seen on a day, and optionally mail it.

    A digest is mailed at most once per day unless --force; a failed send leaves the files on disk.

    Example:

        pilotwatch digest --date 2025-12-22 --out digests/ --send
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import digest

    from .pipeline import AlreadySent, send_digest, write_digest

    config = _config(ctx, db=db, digest_dir=out_dir)
    tz = ZoneInfo(config.timezone)
    the_day = day.date() if day else datetime.now(tz).date()
    store = _open_store(config, must_exist=True)
    try:
        paths = write_digest(store, the_day, tz, Path(config.digest_dir))
        click.echo(f"digest {paths[0]} {paths[1]}")
        if send:
            if not config.smtp_host or not config.recipients:
                raise click.ClickException("set smtp_host and recipients in the config to send the digest")
            try:
                result = send_digest(config, store, the_day, tz, force=force)
            except (AlreadySent, digest.SendError) as exc:
                raise click.ClickException(f"{exc} (the digest is on disk: {paths[0]})") from None
            if result is None:
                click.echo("nothing new and send_empty = false: not mailed")
            else:
                click.echo(f"sent to {len(result.accepted)} recipient(s) ({result.message_id})"
                           + (f"; refused: {', '.join(result.refused)}" if result.refused else ""))
    finally:
        store.close()


cli.add_command(platforms)
cli.add_command(subscriptions)


if __name__ == "__main__":  # pragma: no cover
    cli()
