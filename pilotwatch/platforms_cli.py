"""`pilotwatch platforms`: the platform registry on the command line — list, show, curate, feed.

Reading commands open the database read-only, like `search` and `export`. Curation writes a platform_overrides row
(holding platform keys, not row ids, so it survives re-runs and re-tagging) and rebuilds the registry at once, under
the run lock so a curation and a run never rebuild over each other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

import registry
from extract.model import SECTOR_LABELS  # a plain dict: no NLP data loads

from .places import Province

STATUSES = [*registry.EVENT_ORDER, "not_a_platform"]
# beside the English name of a place, its Chinese name (the columns are the table's, in its order)
CSV_CHINESE = {"province": "province_zh", "city": "city_zh"}
FEED_ID = "urn:pilotwatch:platform-events"
_SPACE = re.compile(r"\s+")


# --- provinces: English name, GB/T 2260 code or Chinese name → (English name, code) ---

def _chinese_place(code: str | None) -> str:
    """The Chinese name of a province or prefecture-level city by its code ("" when unknown)."""
    from extract.resources import city_by_code, provinces

    if not code:
        return ""
    city = city_by_code().get(code)
    if city:
        return city.name
    return next((p.name for p in provinces() if p.code == code), "")


# --- shared helpers (cli's config and store openers are imported when a command runs: cli imports this module) ---

_GROUP_DB = "pilotwatch.platforms.db"


def _db_option(f):
    return click.option("--db", help="SQLite file (config key db).")(f)


def _reader(ctx: click.Context, db: str | None):
    from .cli import _config, _open_reader

    return _open_reader(_config(ctx, db=db or ctx.meta.get(_GROUP_DB)))


def _one_line(text: Any) -> str:
    from .research import terminal_safe

    return terminal_safe(_SPACE.sub(" ", str(text or "")).strip())


def _place(row: Mapping[str, Any]) -> str:
    """City, province (a municipality once), or "" when unknown."""
    parts = [row.get("city"), row.get("province")]
    return ", ".join(dict.fromkeys(p for p in parts if p))


def _hosts(row: Mapping[str, Any]) -> str:
    english = list(row.get("hosts_en") or [])
    return "; ".join(f"{h} ({english[i]})" if i < len(english) and english[i] else h
                     for i, h in enumerate(row.get("hosts") or []))


def _status(row: Mapping[str, Any]) -> str:
    listed = row.get("listed") or []
    return f"{row['status']} ({', '.join(listed)})" if listed else str(row["status"])


def platform_line(row: Mapping[str, Any]) -> str:
    """`#id  name · hosts (English) · sectors · city, province · status (levels listed) · last event date`."""
    parts = [row.get("name") or "—", _hosts(row) or "—", ", ".join(row.get("sectors") or []) or "—",
             _place(row) or "—", _status(row), row.get("last_event_at") or "—"]
    return f"#{row['id']}  " + " · ".join(_one_line(p) for p in parts)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> str:
    """The registry as CSV with a UTF-8 BOM (so Excel reads it as UTF-8): the table's columns, lists joined by "; "
    (hosts and hosts_en keep their order, an unknown English name is empty), and the Chinese names of the province
    and city beside the English ones."""
    from .research import CSV_BOM, excel_cell

    fields = [f for column in columns for f in (column, CSV_CHINESE.get(column)) if f]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        flat = {k: excel_cell("; ".join(v) if isinstance(v, list) else v) for k, v in row.items()}
        for column, chinese in CSV_CHINESE.items():
            flat[chinese] = _chinese_place(row.get(f"{column}_code"))
        writer.writerow(flat)
    return CSV_BOM + out.getvalue()


# --- pilotwatch platforms ---

@click.group(invoke_without_command=True)
@click.option("--sector", type=click.Choice(list(SECTOR_LABELS)), help="Only platforms in this sector.")
@click.option("--province", type=Province(), help="Only platforms in this province: English name (Shandong), "
                                                  "GB/T 2260 code (370000) or Chinese name (山东省).")
@click.option("--status", type=click.Choice(STATUSES), help="Only platforms whose furthest event is this.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last event on or after YYYY-MM-DD.")
@click.option("--all", "include_rejected", is_flag=True, help="Include platforms a curator rejected (not_a_platform).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, every column.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a UTF-8 BOM (opens cleanly in Excel).")
@_db_option
@click.pass_context
def platforms(ctx: click.Context, sector: str | None, province: tuple[str, str] | None, status: str | None, since,
              include_rejected: bool, as_json: bool, as_csv: bool, db: str | None) -> None:
    """The platform registry: one line per platform, newest event first; subcommands show, curate and feed it.

    Each line: #id  name · hosts (English) · sectors · city, province · status (levels of the lists it is on) ·
    last event's date. Curation (merge, split, rename, reject) rebuilds the registry at once and survives re-runs.

    Example:

        pilotwatch platforms --province Shandong --status listed

        pilotwatch platforms --csv > platforms.csv

        pilotwatch platforms show 3
    """
    if ctx.invoked_subcommand is not None:
        ctx.meta[_GROUP_DB] = db  # `platforms --db X show 3` means X too
        return
    if as_json and as_csv:
        raise click.UsageError("--json and --csv exclude each other")
    from .research import json_line

    store = _reader(ctx, db)
    try:
        rows = store.platform_rows(sector=sector, province=province[1] if province else None, status=status,
                                   since=since.date().isoformat() if since else None,
                                   include_rejected=include_rejected)
        columns = [r["name"] for r in store.query("SELECT name FROM pragma_table_info('platforms') ORDER BY cid")]
    finally:
        store.close()
    if as_csv:
        click.echo(to_csv(rows, columns), nl=False)
        return
    for row in rows:
        click.echo(json_line(row) if as_json else platform_line(row))
    if not rows and not as_json:
        click.echo("no platforms", err=True)


@platforms.command("show")
@click.argument("platform_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the platform with its timeline.")
@_db_option
@click.pass_context
def show(ctx: click.Context, platform_id: int, as_json: bool, db: str | None) -> None:
    """A platform and its timeline: each event with its date, level, the rule that attached it, the evidence in
    Chinese and English, and the article it comes from.

    Example:

        pilotwatch platforms show 3
    """
    from .research import json_line

    store = _reader(ctx, db)
    try:
        row = store.platform_by_id(platform_id)
    finally:
        store.close()
    if row is None:
        raise click.ClickException(f"no platform #{platform_id} (see `pilotwatch platforms --all`)")
    if as_json:
        click.echo(json_line(row))
        return
    for line in describe(row):
        click.echo(line)


def describe(row: Mapping[str, Any]) -> list[str]:
    """A platform and its timeline for the terminal (every value on one line, without controls)."""
    v = _one_line
    codes = [row.get(k) for k in ("county_code", "city_code", "province_code") if row.get(k)]
    place = ", ".join(p for p in (row.get("county"), _place(row)) if p) + (f" ({codes[0]})" if codes else "")
    lines = [
        f"#{row['id']}  {v(row['name'])}",
        f"  key: {v(row['key'])}",
        f"  hosts: {v(_hosts(row)) or '—'}",
        f"  sectors: {', '.join(row.get('sectors') or []) or '—'}",
        f"  place: {v(place) or '—'}",
        f"  level: {row['level']} · status: {_status(row)}",
        f"  first seen: {row['first_seen_at']} · last event: {row['last_event']} {row['last_event_at'] or ''}",
        f"timeline ({len(row['timeline'])} events):",
    ]
    for e in row["timeline"]:
        title = " — ".join(dict.fromkeys(v(t) for t in (e.get("title_en"), e.get("title_zh")) if t))
        lines += [f"  {e['date'] or '—'}  {e['event']}  {e['level']}  rule {e['rule']}  article {e['article_id']} "
                  f"({e['part']})",
                  f"    {v(e['evidence'])}",
                  f"    {v(e['evidence_en']) or '(English not yet translated)'}",
                  f"    {title}",
                  f"    {v(e['url'])}"]
    return lines


# --- curation ---

@contextmanager
def _curating(ctx: click.Context, db: str | None) -> Iterator[Any]:
    """The store, writable, under the run lock (a run rebuilds the registry too)."""
    from .cli import _config, _open_store
    from .lock import RunLocked, run_lock

    config = _config(ctx, db=db or ctx.meta.get(_GROUP_DB))
    if not Path(config.db).exists():  # before the lock, which would make a folder and a lock file
        raise click.ClickException(f"database {config.db} does not exist (run `pilotwatch run` first)")
    try:
        with run_lock(config.db):
            store = _open_store(config, must_exist=True)
            try:
                yield store
            finally:
                store.close()
    except RunLocked as exc:
        raise click.ClickException(str(exc)) from None


def _platform(store: Any, platform_id: int) -> dict[str, Any]:
    row = store.platform_by_id(platform_id)
    if row is None:
        raise click.ClickException(f"no platform #{platform_id} (see `pilotwatch platforms --all`)")
    return row


def _rebuild(store: Any) -> dict[str, int]:
    from .platforms import rebuild_registry

    return rebuild_registry(store)


def _override(store: Any, action: str, key: str, *, note: str | None, **fields: Any) -> int:
    """Write the override and rebuild; when the rebuild fails the override is taken back (nothing half-done)."""
    oid = store.add_platform_override(action, key, note=note, **fields)
    try:
        counts = _rebuild(store)
    except Exception as exc:
        store.delete_platform_override(oid)
        raise click.ClickException(f"registry not rebuilt, override not kept: {type(exc).__name__}: {exc}") from None
    click.echo(f"override #{oid} ({action}) written; {_counts(counts)}")
    if not next((o["matched"] for o in store.platform_overrides() if o["id"] == oid), 1):
        click.echo(f"warning: override #{oid} matched no platform in the rebuild", err=True)
    return oid


def _counts(counts: Mapping[str, int]) -> str:
    return (f"registry rebuilt: {counts['platforms']} platforms ({counts['new']} new, {counts['gone']} gone), "
            f"{counts['events']} events")


def _echo_platform(store: Any, key: str) -> None:
    row = next((r for r in store.platform_rows(include_rejected=True) if r["key"] == key), None)
    if row is not None:
        click.echo(platform_line(row))


_note = click.option("--note", help="Why (kept with the override).")


@platforms.command("merge")
@click.argument("platform_id", metavar="ID", type=int)
@click.argument("other_id", metavar="OTHER_ID", type=int)
@_note
@_db_option
@click.pass_context
def merge(ctx: click.Context, platform_id: int, other_id: int, note: str | None, db: str | None) -> None:
    """Merge platform OTHER_ID into ID (the same platform the rules kept apart); ID keeps its id and key.

    Example:

        pilotwatch platforms merge 8 10 --note "same Jinan biopharma platform, provincial and national lists"
    """
    if platform_id == other_id:
        raise click.ClickException(f"cannot merge platform #{platform_id} with itself")
    with _curating(ctx, db) as store:
        head, other = _platform(store, platform_id), _platform(store, other_id)
        _override(store, "merge", head["key"], other_key=other["key"], note=note)
        _echo_platform(store, head["key"])


@platforms.command("split")
@click.argument("platform_id", metavar="ID", type=int)
@click.option("--article", "article_id", type=int, required=True,
              help="The article whose events leave the platform (see `platforms show ID`).")
@_note
@_db_option
@click.pass_context
def split(ctx: click.Context, platform_id: int, article_id: int, note: str | None, db: str | None) -> None:
    """Take the events of one article out of platform ID into a platform of their own.

    Example:

        pilotwatch platforms split 3 --article 12 --note "another platform of the same university"
    """
    with _curating(ctx, db) as store:
        row = _platform(store, platform_id)
        articles = sorted({e["article_id"] for e in row["timeline"]})
        if article_id not in articles:
            raise click.ClickException(f"platform #{platform_id} has no event from article {article_id} (its "
                                       f"articles: {', '.join(map(str, articles))})")
        if articles == [article_id]:
            raise click.ClickException(f"every event of platform #{platform_id} comes from article {article_id}: "
                                       "nothing would remain (rename or reject it instead)")
        _override(store, "split", row["key"], article_id=article_id, note=note)
        _echo_platform(store, row["key"])
        _echo_platform(store, f"split:{row['key']}:{article_id}")  # registry.build's key for a split-off platform


@platforms.command("rename")
@click.argument("platform_id", metavar="ID", type=int)
@click.argument("name")
@_note
@_db_option
@click.pass_context
def rename(ctx: click.Context, platform_id: int, name: str, note: str | None, db: str | None) -> None:
    """Give platform ID the name NAME (kept across rebuilds until `platforms unoverride`).

    Example:

        pilotwatch platforms rename 9 太原碳元一碳原料生物转化中试平台
    """
    name = _one_line(name)
    if not name:
        raise click.ClickException("the new name is empty")
    with _curating(ctx, db) as store:
        row = _platform(store, platform_id)
        _override(store, "rename", row["key"], value=name, note=note)
        _echo_platform(store, row["key"])


@platforms.command("reject")
@click.argument("platform_id", metavar="ID", type=int)
@_note
@_db_option
@click.pass_context
def reject(ctx: click.Context, platform_id: int, note: str | None, db: str | None) -> None:
    """Mark platform ID as not a platform (status not_a_platform: out of the list, the feed and the digest; `--all`
    shows it).

    Example:

        pilotwatch platforms reject 11 --note "a demonstration base, not a pilot platform"
    """
    with _curating(ctx, db) as store:
        row = _platform(store, platform_id)
        if row["status"] == "not_a_platform":
            raise click.ClickException(f"platform #{platform_id} is already rejected (see `pilotwatch platforms "
                                       "overrides`)")
        _override(store, "reject", row["key"], note=note)
        _echo_platform(store, row["key"])


def override_line(o: Mapping[str, Any], ids: Mapping[str, int]) -> str:
    """`#id  action  target  matched|UNMATCHED|not yet applied  created_at  — note`; a key is shown with the id of
    its platform now, or "(gone)"."""
    def ref(key: str | None) -> str:
        return f"#{ids[key]} {_one_line(key)}" if key in ids else f"{_one_line(key)} (gone)"

    action = o["action"]
    target = (f"{ref(o['platform_key'])} ← {ref(o['other_key'])}" if action == "merge"
              else f"{ref(o['platform_key'])} − article {o['article_id']}" if action == "split"
              else f"{ref(o['platform_key'])} → {_one_line(o['value'])}" if action == "rename"
              else ref(o["platform_key"]))
    state = {1: "matched", 0: "UNMATCHED"}.get(o["matched"], "not yet applied")
    return f"#{o['id']}  {action}  {target}  {state}  {o['created_at']}" + (
        f"  — {_one_line(o['note'])}" if o.get("note") else "")


@platforms.command("overrides")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_db_option
@click.pass_context
def overrides(ctx: click.Context, as_json: bool, db: str | None) -> None:
    """The curators' overrides in the order they apply, each with whether the last rebuild found its platform(s)
    (UNMATCHED: the platform's key changed; check it and apply the decision again).

    Example:

        pilotwatch platforms overrides
    """
    from .research import json_line

    store = _reader(ctx, db)
    try:
        rows = store.platform_overrides()
        ids = {r["key"]: r["id"] for r in store.platform_rows(include_rejected=True)}
    finally:
        store.close()
    for o in rows:
        click.echo(json_line(o) if as_json else override_line(o, ids))
    if not rows and not as_json:
        click.echo("no overrides", err=True)


@platforms.command("unoverride")
@click.argument("override_id", metavar="OVERRIDE_ID", type=int)
@_db_option
@click.pass_context
def unoverride(ctx: click.Context, override_id: int, db: str | None) -> None:
    """Delete an override (see `platforms overrides`) and rebuild the registry without it.

    Example:

        pilotwatch platforms unoverride 2
    """
    with _curating(ctx, db) as store:
        if not any(o["id"] == override_id for o in store.platform_overrides()):
            raise click.ClickException(f"no override #{override_id} (see `pilotwatch platforms overrides`)")
        store.delete_platform_override(override_id)
        click.echo(f"override #{override_id} deleted; {_counts(_rebuild(store))}")


# --- feed ---

def event_id(e: Mapping[str, Any]) -> str:
    """An entry id that survives rebuilds (event rows are renumbered): the platform's key and where the event was
    said."""
    digest = hashlib.sha256(f"{e['key']}\x1f{e['article_id']}\x1f{e['part']}\x1f{e['start']}".encode()).hexdigest()
    return f"urn:pilotwatch:platform-event:{digest[:32]}"


def to_atom(events: list[Mapping[str, Any]], *, self_url: str | None = None) -> str:
    """An Atom 1.0 feed (RFC 4287) of platform events: one entry per event, newest first as given."""
    from xml.etree import ElementTree as ET

    from .research import _NOT_XML, ATOM_NS, _atom_time, terminal_safe

    ET.register_namespace("", ATOM_NS)

    def xml(text: Any) -> str:  # crawled text: no controls, nothing XML cannot hold
        return _NOT_XML.sub("", terminal_safe(str(text)))

    def sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: xml(v) for k, v in attrs.items()})
        if text is not None:
            el.text = xml(text)
        return el

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", "PilotWatch: biomanufacturing pilot-scale platform events")
    sub(feed, "id", FEED_ID)
    sub(feed, "updated", max((_atom_time(e["first_seen_at"]) for e in events), default=_atom_time(None)))
    sub(sub(feed, "author"), "name", "PilotWatch")
    sub(feed, "generator", "PilotWatch")
    if self_url:
        sub(feed, "link", rel="self", href=self_url)
    for e in events:
        entry = sub(feed, "entry")
        sub(entry, "title", " · ".join(_one_line(p) for p in (e["name"], e["event"], _place(e)) if p))
        sub(entry, "id", event_id(e))
        sub(entry, "link", href=e["url"], rel="alternate")
        sub(entry, "updated", _atom_time(e["first_seen_at"]))
        if e.get("date"):
            sub(entry, "published", _atom_time(e["date"]))
        for sector in e.get("sectors") or []:
            sub(entry, "category", term=sector)
        article = " — ".join(dict.fromkeys(t for t in (e.get("title_en"), e.get("title_zh")) if t))
        facts = [_one_line(e["evidence"]), _one_line(e.get("evidence_en")) or "(English not yet translated)", "",
                 f"Platform: {e['name']} (#{e['platform_id']}, {e['status']}); level of this event: {e['level']}"]
        if e.get("hosts"):
            facts.append(f"Hosts: {_hosts(e)}")
        facts.append(f"Article: {article} ({e['source']})")
        sub(entry, "content", "\n".join(facts), type="text")
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


@platforms.command("feed")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@click.option("--self-url", help="The URL the feed will be served at (its rel=self link).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Events dated on or after YYYY-MM-DD.")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1), help="The newest N events.")
@_db_option
@click.pass_context
def feed(ctx: click.Context, out_path: str | None, self_url: str | None, since, limit: int, db: str | None) -> None:
    """An Atom feed of platform events (listed, opened, signed…): one entry per event, linking to its article, with
    the evidence in Chinese and English; entry ids stay the same across rebuilds. Rejected platforms are left out.

    Example:

        pilotwatch platforms feed --out platforms.xml --self-url https://example.org/platforms.xml
    """
    store = _reader(ctx, db)
    try:
        events = store.platform_events_seen_between("", "9999")  # every event, oldest first
    finally:
        store.close()
    if since:
        day = since.date().isoformat()
        events = [e for e in events if (e["date"] or e["first_seen_at"][:10]) >= day]
    events = events[::-1][:limit]
    text = to_atom(events, self_url=self_url)
    if out_path:
        Path(out_path).write_text(text, encoding="utf-8")
        click.echo(f"{len(events)} events → {out_path}", err=True)
    else:
        click.echo(text, nl=False)
