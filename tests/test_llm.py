"""The llm engine against a real OpenAI-compatible server on localhost (http.server in a thread).

The fake server checks nothing itself: it records every request (path, headers, JSON body) for the tests to inspect
and answers according to its `mode`, with a deterministic fake translation that keeps the numbers of each sentence.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import translate
from translate import TranslateError, Translator, load_translator, translate_text
from translate.llm import _parse_reply

REPO = Path(__file__).resolve().parents[1]
MODEL = "qwen2.5-7b-instruct"
KEY = "sk-test-0123456789abcdef"
NOTICE = (
    "工业和信息化部、国家发展改革委日前发布通知，提出到2027年，培育生物制造中试能力建设平台20个以上，"
    "服务企业数量超过200家，孵化产品400个以上。"
)
NOTICE_EN = (
    "The Ministry of Industry and Information Technology (MIIT) and the National Development and Reform Commission "
    "(NDRC) recently issued a notice proposing that by 2027, 20 or more biomanufacturing pilot-scale "
    "capability-building platforms be cultivated, serving more than 200 enterprises and incubating 400 or more "
    "products."
)
BATCH = [NOTICE, "中试平台揭牌。", "2025年6月11日，3家企业入选。"]


def fake_translation(zh: str) -> str:
    """Deterministic stand-in for a model: the notice gets real English, anything else its numbers and a tag."""
    if zh == NOTICE:
        return NOTICE_EN
    return " ".join([f"EN#{sum(map(ord, zh)) % 9973}", *re.findall(r"\d+", zh)])


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def sentences(self) -> list[str]:
        user = self.body["messages"][-1]["content"]
        return json.loads(user[user.index("[") :])

    @property
    def system(self) -> str:
        return self.body["messages"][0]["content"]


@dataclass
class FakeLLM:
    base: str = ""
    mode: str = "good"
    key: str | None = None  # when set, requests without "Bearer <key>" get 401
    requests: list[Recorded] = field(default_factory=list)

    def reply(self, rec: Recorded) -> tuple[int, Any]:
        if self.key is not None and rec.headers.get("authorization") != f"Bearer {self.key}":
            # Like hosted APIs, echo (part of) what was sent: the engine must scrub it.
            sent = rec.headers.get("authorization", "")
            return 401, {"error": {"message": f"Incorrect API key provided: {sent}", "type": "invalid_request_error"}}
        if self.mode == "server_error":
            return 503, {"error": {"message": "model is loading"}}
        if self.mode == "unknown_model":
            return 404, {"error": {"message": f"model '{rec.body['model']}' not found, try pulling it first"}}
        if self.mode == "slow":
            time.sleep(1.0)
        sentences = rec.sentences
        english = [fake_translation(s) for s in sentences]
        if self.mode == "short_batches" and len(sentences) > 1:
            english = english[:-1]  # the model merged two sentences
        content = json.dumps(english, ensure_ascii=False)
        if self.mode == "fenced":
            content = f"Here you are:\n```json\n{content}\n```"
        if self.mode == "prose":
            content = "I cannot produce JSON, but here is the translation: " + " ".join(english)
        return 200, {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": rec.body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        }


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLM]:
    fake = FakeLLM()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 -- http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            rec = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            fake.requests.append(rec)
            if self.path != "/v1/chat/completions":
                status, payload = 404, {"error": "not found"}
            else:
                status, payload = fake.reply(rec)
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    fake.base = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def llm(server: FakeLLM) -> FakeLLM:
    server.mode, server.key = "good", None
    server.requests.clear()
    return server


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a good batch -------------------------------------------------------------------------------


def test_good_batch_and_request_shape(llm: FakeLLM) -> None:
    tr = load_translator("llm", url=llm.base, model=MODEL)
    assert isinstance(tr, Translator)
    assert tr.engine == "llm" and tr.model == f"{MODEL}@127.0.0.1"

    assert tr.translate(BATCH) == [fake_translation(s) for s in BATCH]

    (req,) = llm.requests
    assert req.path == "/v1/chat/completions"
    assert req.body["model"] == MODEL and req.body["temperature"] == 0.0
    assert [m["role"] for m in req.body["messages"]] == ["system", "user"]
    assert req.sentences == BATCH
    assert "authorization" not in req.headers  # no key, no header
    system = req.system
    assert "JSON array" in system and "same count" in system and "number" in system
    # The batch's glossary terms, one "zh → en" line each.
    for line in (
        "工业和信息化部 → Ministry of Industry and Information Technology (MIIT)",
        "国家发展改革委 → National Development and Reform Commission (NDRC)",
        "中试能力建设平台 → pilot-scale capability-building platform",
        "中试平台 → pilot-scale platform",
    ):
        assert line in system.splitlines(), line


def test_batches_keep_order_and_blank_sentences_are_not_sent(llm: FakeLLM) -> None:
    tr = load_translator("llm", url=llm.base + "/", model=MODEL, batch_size=2)
    sentences = [BATCH[0], "", BATCH[1], "  ", BATCH[2]]
    out = tr.translate(sentences)
    assert out == [fake_translation(BATCH[0]), "", fake_translation(BATCH[1]), "", fake_translation(BATCH[2])]
    assert [r.sentences for r in llm.requests] == [BATCH[:2], BATCH[2:]]
    assert all(r.path == "/v1/chat/completions" for r in llm.requests)
    assert tr.translate([]) == [] and len(llm.requests) == 2


def test_output_passes_the_fidelity_check(llm: FakeLLM) -> None:
    tr = load_translator("llm", url=llm.base, model=MODEL)
    text = NOTICE + "\n中试平台揭牌。"
    en = translate_text(tr, text)
    assert en.split("\n")[0] == NOTICE_EN
    assert translate.check(NOTICE, en) == []


def test_key_is_sent_as_bearer_and_kept_out_of_sight(llm: FakeLLM) -> None:
    llm.key = KEY
    tr = load_translator("llm", url=llm.base, model=MODEL, api_key=KEY)
    assert tr.translate([BATCH[1]]) == [fake_translation(BATCH[1])]
    assert llm.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in tr.model and KEY not in repr(tr)


# --- lenient parsing and the per-sentence retry -------------------------------------------------


def test_reply_in_json_fences(llm: FakeLLM) -> None:
    llm.mode = "fenced"
    tr = load_translator("llm", url=llm.base, model=MODEL)
    assert tr.translate(BATCH) == [fake_translation(s) for s in BATCH]
    assert len(llm.requests) == 1


def test_wrong_count_is_retried_sentence_by_sentence(llm: FakeLLM) -> None:
    llm.mode = "short_batches"
    tr = load_translator("llm", url=llm.base, model=MODEL)
    assert tr.translate(BATCH) == [fake_translation(s) for s in BATCH]
    assert [r.sentences for r in llm.requests] == [BATCH, [BATCH[0]], [BATCH[1]], [BATCH[2]]]
    # The retry prompt carries only the single sentence's glossary terms.
    assert "工业和信息化部 → " in llm.requests[1].system and "工业和信息化部 → " not in llm.requests[2].system


def test_reply_that_is_never_an_array_raises_naming_the_engine(llm: FakeLLM) -> None:
    llm.mode = "prose"
    tr = load_translator("llm", url=llm.base, model=MODEL)
    with pytest.raises(TranslateError) as err:
        tr.translate(BATCH)
    assert err.value.engine == "llm" and "llm engine" in str(err.value) and MODEL in str(err.value)
    assert len(llm.requests) == 2  # the batch, then the first sentence alone; then it gives up


@pytest.mark.parametrize(
    ("content", "count", "expected"),
    [
        ('["a", "b"]', 2, ["a", "b"]),
        ('```json\n["a", "b"]\n```', 2, ["a", "b"]),
        ('```\n[" a ", "b"]```', 2, ["a", "b"]),
        ('Sure! Here they are:\n["a", "b"]\nHope this helps.', 2, ["a", "b"]),
        ('{"translations": ["a", "b"]}', 2, ["a", "b"]),
        ('"a"', 1, ["a"]),
    ],
)
def test_parse_reply_is_lenient(content: str, count: int, expected: list[str]) -> None:
    assert _parse_reply(content, count) == expected


@pytest.mark.parametrize("content", ['["a"]', "[1, 2]", "a, b", "", None, '{"x": 1}', '["a", "b"'])
def test_parse_reply_rejects_what_is_not_two_strings(content: str | None) -> None:
    with pytest.raises(Exception) as err:
        _parse_reply(content, 2)
    assert not isinstance(err.value, TranslateError)  # internal: the caller retries, then raises TranslateError


# --- errors name the setting at fault, never the key --------------------------------------------


def test_401_names_the_key_variable_but_not_the_key(llm: FakeLLM) -> None:
    llm.key = "the-right-key"
    tr = load_translator("llm", url=llm.base, model=MODEL, api_key=KEY)
    with pytest.raises(TranslateError) as err:
        tr.translate(BATCH)
    message = str(err.value)
    assert "PILOTWATCH_LLM_API_KEY" in message and "API key" in message and "llm_url" in message
    assert "401" in message
    assert KEY not in message and KEY not in repr(err.value.args)
    assert err.value.setting == "PILOTWATCH_LLM_API_KEY" and err.value.engine == "llm"
    assert err.value.__cause__ is None and err.value.__context__ is None


def test_401_without_a_key_says_so(llm: FakeLLM) -> None:
    llm.key = "the-right-key"
    with pytest.raises(TranslateError, match=r"PILOTWATCH_LLM_API_KEY.*no key was set"):
        load_translator("llm", url=llm.base, model=MODEL).translate(BATCH)


def test_server_error_names_llm_url(llm: FakeLLM) -> None:
    llm.mode = "server_error"
    with pytest.raises(TranslateError) as err:
        load_translator("llm", url=llm.base, model=MODEL, api_key=KEY).translate(BATCH)
    assert "503" in str(err.value) and "llm_url" in str(err.value) and "model is loading" in str(err.value)
    assert err.value.setting == "llm_url" and KEY not in str(err.value)


def test_unknown_model_names_llm_model(llm: FakeLLM) -> None:
    llm.mode = "unknown_model"
    with pytest.raises(TranslateError) as err:
        load_translator("llm", url=llm.base, model="no-such-model").translate(BATCH)
    assert err.value.setting == "llm_model" and "no-such-model" in str(err.value)


def test_wrong_path_names_llm_url(llm: FakeLLM) -> None:
    base = llm.base.removesuffix("/v1")  # forgot the /v1
    with pytest.raises(TranslateError) as err:
        load_translator("llm", url=base, model=MODEL).translate(BATCH)
    assert err.value.setting == "llm_url" and "404" in str(err.value) and "/v1" in str(err.value)


def test_connection_refused_names_llm_url() -> None:
    url = f"http://127.0.0.1:{unused_port()}/v1"
    tr = load_translator("llm", url=url, model=MODEL, api_key=KEY, timeout=5)
    with pytest.raises(TranslateError) as err:
        tr.translate(BATCH)
    assert err.value.setting == "llm_url" and err.value.engine == "llm"
    assert "llm_url" in str(err.value) and url in str(err.value) and KEY not in str(err.value)


def test_timeout_names_llm_url(llm: FakeLLM) -> None:
    llm.mode = "slow"
    with pytest.raises(TranslateError) as err:
        load_translator("llm", url=llm.base, model=MODEL, timeout=0.2).translate(BATCH)
    assert err.value.setting == "llm_url" and "0.2 s" in str(err.value)


def test_credentials_in_the_url_are_not_shown() -> None:
    url = f"http://user:{KEY}@127.0.0.1:{unused_port()}/v1"
    tr = load_translator("llm", url=url, model=MODEL, timeout=5)
    assert tr.model == f"{MODEL}@127.0.0.1" and KEY not in repr(tr)
    with pytest.raises(TranslateError) as err:
        tr.translate(BATCH)
    assert KEY not in str(err.value)


@pytest.mark.parametrize(
    ("options", "setting"),
    [
        ({"model": MODEL}, "llm_url"),
        ({"url": "", "model": MODEL}, "llm_url"),
        ({"url": "127.0.0.1:8080/v1", "model": MODEL}, "llm_url"),
        ({"url": "ftp://example.org/v1", "model": MODEL}, "llm_url"),
        ({"url": "http://127.0.0.1:8080/v1"}, "llm_model"),
        ({"url": "http://127.0.0.1:8080/v1", "model": "  "}, "llm_model"),
        ({"url": "http://127.0.0.1:8080/v1", "model": MODEL, "batch_size": 0}, "batch_size"),
    ],
)
def test_missing_or_bad_settings_are_named(options: dict[str, Any], setting: str) -> None:
    with pytest.raises(TranslateError) as err:
        load_translator("llm", **options)
    assert err.value.setting == setting and err.value.engine == "llm"
    assert setting in str(err.value)


def test_factory_ignores_options_of_other_engines_and_contacts_nobody() -> None:
    # The pipeline may pass every llm_* setting; create() only checks them (the port here is closed).
    tr = load_translator("llm", url=f"http://127.0.0.1:{unused_port()}/v1", model=MODEL, model_dir="/nowhere")
    assert tr.model == f"{MODEL}@127.0.0.1"
    assert "llm" in translate.engines()


def test_importing_the_engine_does_not_import_httpx() -> None:
    code = "import sys, translate.llm; assert 'httpx' not in sys.modules, 'httpx imported'"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
