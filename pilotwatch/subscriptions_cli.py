"""`pilotwatch subscriptions`: each subscription with what it would receive if a run delivered now (a dry run).

Reads the database read-only and sends nothing: a person checks a filter before it mails anybody.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click


def _line(item: dict[str, Any]) -> str:
    from .research import terminal_safe

    title = item.get("title_en") or item.get("title_zh") or ""
    gloss = " [gloss]" if item.get("translation_engine") == "gloss" else ""
    if item["type"] == "platform_event":
        p = item["platform"]
        place = ", ".join(x for x in (p.get("city"), p.get("province")) if x)
        text = f"{item['event_label']}: {p['name']}{' · ' + place if place else ''} — {title}{gloss}"
    else:
        text = f"{title}{gloss} ({item.get('source') or ''})"
    return terminal_safe(" ".join(text.split())) + f"\n        {terminal_safe(str(item.get('url') or ''))}"


@click.command("subscriptions")
@click.option("--name", "names", multiple=True, help="Only this subscription (repeatable).")
@click.option("--items", "shown", default=10, show_default=True, type=click.IntRange(0),
              help="Items listed per subscription.")
@click.option("--db", help="SQLite file (config key db).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per subscription, with all its items.")
@click.pass_context
def subscriptions(ctx: click.Context, names: tuple[str, ...], shown: int, db: str | None, as_json: bool) -> None:
    """List the subscriptions and what each would receive now: a dry run that sends and writes nothing.

    A subscription ([[subscriptions]] in the config) follows sectors, provinces, platform events and a saved search;
    it is mailed to each of its recipients (daily, weekly, or at the end of each run), posted to its webhook, and
    written as an Atom feed. Per channel this says whether the period's delivery went out and how many new items
    wait.

    Example:

        pilotwatch --config pilotwatch.toml subscriptions --name food-east
    """
    from zoneinfo import ZoneInfo

    from .alerts import preview
    from .cli import _config, _open_reader
    from .research import json_line, terminal_safe

    config = _config(ctx, db=db)
    if not config.subscriptions:
        raise click.ClickException("no subscriptions configured (add [[subscriptions]] tables to the config file; "
                                   "see README, Alerts)")
    unknown = sorted(set(names) - {s.name for s in config.subscriptions})
    if unknown:
        raise click.ClickException(f"no subscription named {', '.join(unknown)} (configured: "
                                   f"{', '.join(s.name for s in config.subscriptions)})")
    tz = ZoneInfo(config.timezone)
    now = datetime.now(UTC)
    store = _open_reader(config)
    try:
        rows = preview(config, store, day=now.astimezone(tz).date(), tz=tz, now=now)
    finally:
        store.close()
    for row in rows:
        if names and row["name"] not in names:
            continue
        if as_json:
            click.echo(json_line(row))
            continue
        click.echo(f"{row['name']}  {row['cadence']} (period {row['period']}): {len(row['items'])} matching item"
                   f"{'s' if len(row['items']) != 1 else ''} in the window")
        click.echo(f"    follows: {terminal_safe(row['follows'])}")
        if row["error"]:
            click.echo(f"    ERROR: {terminal_safe(row['error'])}")
        for ch in row["channels"]:
            state = ("already delivered this period" if ch["period_done"] else
                     f"{ch['new_items']} new item{'s' if ch['new_items'] != 1 else ''} would be sent")
            click.echo(f"    {ch['channel']} {ch['target']}: {state}")
        click.echo(f"    feed {row['feed']}" + (f" → {row['feed_url']}" if row["feed_url"] else ""))
        for item in row["items"][:shown]:
            click.echo(f"      • {_line(item)}")
        if len(row["items"]) > shown:
            click.echo(f"      … and {len(row['items']) - shown} more (--items N)")
