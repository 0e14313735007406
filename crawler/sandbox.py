"""Crawled bytes read in a worker process, with a wall-clock budget and a memory cap: attachments and article pages.

extract_text and parse_article bound what they read (zip sizes, pages, PDF content, spreadsheet columns, characters,
page size), but a parser fed crawled bytes can still spend far more time than the bytes suggest — a 7 KB PDF whose
pages share one 2 MB content stream, a 5 KB spreadsheet claiming a million rows, a <meta> holding 100,000 "&lt;"
(trafilatura's tag-stripping pattern is quadratic in it) — and an item that hangs the crawl is never stored, so every
later run fetched it again and hung at the same point. So the crawl never runs these parsers in its own process:

    with Sandbox(timeout=60, max_memory=1 << 30) as reader:
        reader.extract_text(content, ext) → AttachmentText     never raises
        reader.parse_article(html, url, rules, now=…) → Parsed  or ParseError, as parse_article

A Sandbox keeps one worker (multiprocessing "spawn": a fresh interpreter, with no inherited threads, locks or database
handles; its parsers are imported once, before the first job), hands it one job at a time and waits at most `timeout`
seconds. Attachments get extract_text's statuses (see attachments.py), pages parse_article's ParseError (kind
"parse"), and both these READER_FAULTS, as a status or as ParseError.kind:

    too_slow   no answer within `timeout` s: the worker is killed; a fresh one takes the next job
    too_big    the parser ran out of memory under the cap (MemoryError); the worker is replaced
    crashed    the worker died without an answer (a signal: a C extension's segfault, the kernel's OOM killer) or
               could not start; the item may be worth another try in a later run

The crawl decides what each means for the item (crawler.policy: ATTACHMENT_ATTEMPTS, LASTING_KINDS).

The worker's limits (Linux): RLIMIT_AS = its address space once its readers are loaded + `max_memory`, so MemoryError
comes before the machine swaps; and a CPU-time backstop (RLIMIT_CPU, 2 × timeout + 5 s per job) that ends it even if
the crawl was killed mid-job and nobody waits for the answer. An idle worker exits when the crawl goes away (the end
of its pipe closes). Starting one costs about 1 s (interpreter and parsers), once per run and after each kill; each
job then costs a round trip through a pipe: about 0.6 ms for an article page, 2.5 ms per MB of attachment.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import warnings
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from .attachments import AttachmentText, extract_text, sha256_hex, sniff
from .parse import Parsed, ParseError, parse_article
from .sources import ParseRules

READER_FAULTS = frozenset({"too_slow", "too_big", "crashed"})
START_TIMEOUT = 120.0  # seconds for a worker to start and load its parsers (a loaded 2-core machine takes ~1-3 s)
_CONTEXT = multiprocessing.get_context("spawn")
# what a worker may be asked to run, by name (functions are not pickled, so a test's patch in the crawl stays there)
_JOBS = {"extract_text": extract_text, "parse_article": parse_article}
_PRELOAD = ("pypdf", "openpyxl", "docx", "xlrd", "bs4", "lxml.etree", "trafilatura")


class SandboxError(Exception):
    """A worker could not be started; the message says why."""


def _address_space() -> int:
    """This process's virtual memory size in bytes (VmSize), or 0 where /proc is not available."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _set_soft_limit(which: int, soft: int) -> None:
    import resource

    try:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))  # the soft limit only, so the next file can move it again
    except (ValueError, OSError):  # a platform without this limit: the wall-clock budget still holds
        pass


def _cpu_backstop(seconds: float) -> None:
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    _set_soft_limit(resource.RLIMIT_CPU, math.ceil(used.ru_utime + used.ru_stime + seconds))


def _serve(conn: Connection, max_memory: int | None, cpu_seconds: float) -> None:
    """The worker: load the readers, cap memory, then answer one job at a time until the crawl goes away."""
    import importlib

    logging.getLogger().addHandler(logging.NullHandler())  # readers' warnings are not the crawl's log lines
    warnings.simplefilter("ignore")
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    if max_memory:
        import resource

        _set_soft_limit(resource.RLIMIT_AS, _address_space() + max_memory)
    try:
        conn.send(("ready", os.getpid()))
    except OSError:  # the crawl ended before this worker was needed
        return
    while True:
        try:
            name, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return  # the crawl closed the pipe or died
        _cpu_backstop(cpu_seconds)
        try:
            reply: tuple[str, Any] = ("ok", _JOBS[name](*args, **kwargs))
        except MemoryError:
            reply = ("too_big", "ran out of memory")
        except ParseError as exc:  # its own pickling would need its constructor's arguments back: sent as parts
            reply = ("parse_error", (exc.url, str(exc), exc.kind))
        except Exception as exc:  # noqa: BLE001 - sent back as text; the crawl decides
            reply = ("raised", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except OSError:  # the crawl went away while this job ran
            return


def _death(exitcode: int | None) -> str:
    if exitcode is None:
        return "the reader process stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = {"SIGKILL": " (the system's out-of-memory killer?)", "SIGXCPU": " (CPU-time backstop)"}.get(name, "")
        return f"the reader process died of {name}{why}"
    return f"the reader process exited with code {exitcode}"


class Sandbox:
    """One worker process parsing pages and attachments under a time budget and a memory cap; restarted after a kill.

    timeout     seconds of wall-clock time per job (the worker is killed after it)
    max_memory  bytes a job may add to the worker's address space once its parsers are loaded (None: no cap)
    """

    def __init__(self, *, timeout: float, max_memory: int | None = None, start_timeout: float = START_TIMEOUT):
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout, self.max_memory, self.start_timeout = timeout, max_memory, start_timeout
        self._process: Any = None
        self._conn: Connection | None = None  # the ready worker's pipe
        self._pending: Connection | None = None  # the pipe of a worker started but not yet heard from
        self.started = 0  # workers started, for tests and logs

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The current worker's process id (None before the first job and after a kill)."""
        return self._process.pid if self._process is not None else None

    def start(self, *, wait: bool = False) -> None:
        """Start a worker now (about 1 s of loading) so the first job finds it ready; with wait, until it is ready
        (SandboxError if it cannot start)."""
        if wait:
            self._worker()
            return
        if self._process is not None:
            return
        ours, theirs = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_serve, args=(theirs, self.max_memory, 2 * self.timeout + 5),
                                   name="pilotwatch-reader", daemon=True)
        process.start()
        theirs.close()  # the worker's end lives in the worker only: its death reads as EOF here
        self._process, self._pending = process, ours
        self.started += 1

    def _worker(self) -> Connection:
        """The ready worker's pipe; starts one and waits for it (outside any job's budget) when needed."""
        if self._conn is not None:
            return self._conn
        self.start(wait=False)
        ours, self._pending = self._pending, None
        assert ours is not None
        try:
            ready = ours.poll(self.start_timeout) and ours.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        self._conn = ours
        if not ready:
            code = self._stop()
            raise SandboxError(f"no reader process within {self.start_timeout:g} s: {_death(code)}")
        return ours

    def _stop(self) -> int | None:
        """Kill the worker (if any) and return its exit code; the next job starts a fresh one."""
        process, conn, pending = self._process, self._conn, self._pending
        self._process = self._conn = self._pending = None
        if process is not None and process.is_alive():
            process.kill()  # before its pipe closes: a worker still loading would complain of a broken pipe
        for pipe in (conn, pending):
            if pipe is not None:
                pipe.close()
        if process is None:
            return None
        process.join(5)
        return process.exitcode

    def close(self) -> None:
        """End the worker: an idle one leaves on its own when its pipe closes; a busy one is killed."""
        process, conn = self._process, self._conn
        if conn is not None and process is not None:
            conn.close()
            self._conn = None
            process.join(2)
        self._stop()

    def run(self, job: str, *args: Any, **kwargs: Any) -> tuple[str, Any]:
        """(outcome, value) of one job: ("ok", result), ("parse_error", (url, message, kind)), ("raised", message),
        or a READER_FAULTS kind with a detail."""
        try:
            conn = self._worker()
        except SandboxError as exc:
            return "crashed", str(exc)
        try:
            conn.send((job, args, kwargs))
            answered = conn.poll(self.timeout)
        except (OSError, ValueError):
            return "crashed", _death(self._stop())
        if not answered:
            self._stop()
            return "too_slow", f"no result within {self.timeout:g} s; the reader was stopped"
        try:
            outcome, value = conn.recv()
        except (EOFError, OSError):
            return "crashed", _death(self._stop())
        if outcome == "too_big":
            self._stop()  # a fresh heap for the next file
        return outcome, value

    def extract_text(self, content: bytes, ext: str) -> AttachmentText:
        """extract_text(content, ext) in the worker; never raises (see the module docstring for the statuses)."""
        outcome, value = self.run("extract_text", content, ext)
        if outcome == "ok":
            if value.status == "too_big":
                self._stop()
            return value
        status = outcome if outcome in READER_FAULTS else "error"
        detail = value if outcome in READER_FAULTS else f"reader failed: {value}"
        return AttachmentText(text="", status=status, pages=None, detail=str(detail)[:300], kind=sniff(content),
                              sha256=sha256_hex(content))

    def parse_article(self, html: str, url: str, rules: ParseRules, *, now: datetime | None = None,
                      base_url: str | None = None) -> Parsed:
        """parse_article(html, url, rules, now=now, base_url=base_url) in the worker: its Parsed (with the page's
        document links), or ParseError — with its own kind ("parse"), or a READER_FAULTS kind when the worker ran
        out of time or memory or died."""
        outcome, value = self.run("parse_article", html, url, rules, now=now, base_url=base_url)
        if outcome == "ok":
            return value
        if outcome == "parse_error":
            error_url, message, kind = value
            error = ParseError(error_url, message.removesuffix(f" ({error_url})"))  # the same message again
        elif outcome in READER_FAULTS:
            error = ParseError(url, f"page not parsed: {value}")
            kind = outcome
        else:
            error = ParseError(url, f"parser failed: {value}")
            kind = "unexpected"
        if kind != ParseError.kind:
            error.kind = kind
        raise error


def extract_text_bounded(content: bytes, ext: str, *, timeout: float, max_memory: int | None = None
                         ) -> AttachmentText:
    """One file in a worker of its own (a crawl keeps one Sandbox for all its files instead)."""
    with Sandbox(timeout=timeout, max_memory=max_memory) as reader:
        return reader.extract_text(content, ext)
