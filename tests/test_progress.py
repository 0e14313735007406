"""Progress a person can see (issue 19): on a terminal, `pilotwatch demo` draws click progress bars on stderr with
counts and a percentage (an ETA once an item took long enough to estimate); through a pipe (cron) and under --quiet
there is none. The demo runs in a subprocess whose stderr is the slave side of a pseudo-terminal."""

import os
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_HOSTS = 6  # folders of pilotwatch/sample_site: the demo serves one port each
BAR = re.compile(r"(\d+)/(\d+)\s+(\d+)%")
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # click hides the cursor while a bar is drawn


def free_port_base(count: int = SAMPLE_HOSTS) -> int:
    """A first port with `count` free ports from it (the demo binds port … port + count - 1)."""
    for base in range(21000 + os.getpid() % 1000 * 20, 60000, 97):
        try:
            socks = [socket.create_server(("127.0.0.1", base + i)) for i in range(count)]
        except OSError:
            continue
        for s in socks:
            s.close()
        return base
    raise RuntimeError("no free ports")


def pilotwatch(*args: str, tty: bool) -> tuple[int, str, str]:
    """Run the CLI; its stderr goes to a pseudo-terminal (tty=True) or a pipe. (exit code, stdout, stderr)."""
    command = [sys.executable, "-m", "pilotwatch.cli", *args]
    if not tty:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout, done.stderr
    master, slave = os.openpty()
    proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)  # the child (and its parsing worker) hold the only copies: EIO on read once they are gone
    chunks, ends = [], time.monotonic() + 300
    try:
        while time.monotonic() < ends:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        stdout = proc.communicate(timeout=60)[0]
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, stdout.decode(), b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_sees_bars_with_counts(tmp_path):
    code, out, err = pilotwatch("demo", "--out", str(tmp_path / "demo"), "--port", str(free_port_base()), tty=True)
    assert code == 0, (out, err)
    assert out.startswith("sources 5 ok / 0 failed; articles 10 new")
    bars = [line for line in re.split(r"[\r\n]+", CONTROL.sub("", err)) if BAR.search(line)]
    articles = [line for line in bars if "articles  [" in line and line.startswith("crawling ")]
    assert articles, err  # "crawling ndrc (4/5)  articles  [#####     ]  1/2   50%"
    done = {BAR.search(line).groups() for line in articles}
    assert any(pos == total and pct == "100" for pos, total, pct in done), done  # each bar ends full
    assert any(int(pos) < int(total) for pos, total, _ in done), done  # and was drawn on the way
    assert any("articles tagged  [" in line for line in bars) and any("articles translated  [" in line for line in bars)
    assert all(BAR.search(line).group(2) == "10" for line in bars if "articles tagged" in line)  # all ten tagged


def test_no_progress_through_a_pipe_or_when_quiet(tmp_path):
    port = str(free_port_base())
    code, out, err = pilotwatch("demo", "--out", str(tmp_path / "piped"), "--port", port, tty=False)
    assert code == 0 and out.startswith("sources 5 ok / 0 failed; articles 10 new"), (out, err)
    assert err == "", err  # no bar, no label, no carriage return: nothing for a cron mail

    code, out, err = pilotwatch("--quiet", "demo", "--out", str(tmp_path / "quiet"), "--port", port, tty=True)
    assert code == 0 and out == "" and err == "", (out, err)  # a quiet run that went well says nothing


def test_quiet_on_a_terminal_says_only_what_failed(tmp_path):
    with socket.socket() as s:  # a port nothing listens on: the site refuses every connection
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    registry = tmp_path / "sources.toml"
    registry.write_text(f"""
[[source]]
name = "dead"
label = "A site that refuses connections"
base = "http://127.0.0.1:{port}"
article_pattern = '^/a/\\d+\\.html$'
  [[source.lists]]
  url = "/list/"
  kind = "html"
  select = "a"
""", encoding="utf-8")
    code, out, err = pilotwatch("--quiet", "run", "--db", str(tmp_path / "pw.db"), "--digest-dir", str(tmp_path / "d"),
                                "--sources", str(registry), tty=True)
    assert code == 2
    assert err.strip() == (f"no source reachable: no connection to 127.0.0.1:{port} "
                           "(TCP connect failed: Connection refused (ECONNREFUSED))"), err
    assert out.startswith("sources 0 ok / 1 failed (dead)"), out
