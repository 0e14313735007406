"""The llm engine: any OpenAI-compatible chat-completions endpoint (llama.cpp server, vLLM, Ollama's /v1, hosted APIs).

Sentences go in batches (batch_size) as a JSON array in the user message; the system message asks for a faithful
translation that keeps every number, date and name, uses the glossary renderings of the batch's terms
(translate.terms.prompt_terms, listed "zh → en") and answers with ONLY a JSON array of the same length. Replies are
parsed leniently (```json fences, prose around the array, {"translations": [...]}); a batch whose reply is still
not an array of the right length is retried once sentence by sentence, and if that fails too the engine raises.

Settings and errors (TranslateError, engine "llm"; setting is the key at fault):

    llm_url     the API base, e.g. http://127.0.0.1:8080/v1 → POST {llm_url}/chat/completions; missing or not
                http(s), unreachable, timed out, HTTP 404 / 5xx, or a reply that is not a chat completion
    llm_model   the model name; missing, or the server says it does not know it
    PILOTWATCH_LLM_API_KEY
                the API key, read from the environment by the caller and passed as api_key; sent as
                "Authorization: Bearer …" only when given; HTTP 401/403 name this variable, never the key

The key never reaches `model`, repr(), logs or exception messages (server error text is scrubbed of it too).
`model` is "<model>@<host of llm_url>", so a stored translation says which model on which server made it.
httpx is imported on first use.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .errors import TranslateError
from .terms import prompt_terms

if TYPE_CHECKING:
    import httpx

__all__ = ["LLMTranslator", "create", "SYSTEM_PROMPT", "KEY_ENV"]

log = logging.getLogger(__name__)

ENGINE = "llm"
KEY_ENV = "PILOTWATCH_LLM_API_KEY"
USER_AGENT = "PilotWatch/0.1 (+llm translation engine)"

SYSTEM_PROMPT = """\
You translate sentences from Chinese government documents and news reports into English.
Translate each sentence faithfully and completely. Keep every number, date and name: write numbers as digits \
exactly as in the Chinese (2027, 20, 200, 400), keep qualifiers such as "or more" (以上) and "more than" (超过), \
and do not add, drop or merge information.
Use the glossary renderings below exactly whenever the Chinese term occurs.
The user sends a JSON array of Chinese sentences. Output ONLY a JSON array of English strings: one translation per \
input sentence, the same count and the same order. No notes, no explanations, no markdown."""

_FENCE = re.compile(r"^\s*```[A-Za-z]*\s*\n?(.*?)\n?\s*```\s*$", re.S)


class _BadReply(Exception):
    """A reply that is not a JSON array of the expected length (internal: triggers the per-sentence retry)."""


class LLMTranslator:
    """Translator over an OpenAI-compatible endpoint; construct with create() or translate.load_translator("llm")."""

    engine = ENGINE

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        batch_size: int = 20,
        temperature: float = 0.0,
        glossary: str | None = None,
    ) -> None:
        self._base = url.rstrip("/")
        self._endpoint = f"{self._base}/chat/completions"
        self._shown = _redact(self._endpoint)  # for messages: no user:password@ from the URL
        self._model_name = model
        self._api_key = api_key or None
        self._timeout = timeout
        self._batch_size = batch_size
        self._temperature = temperature
        self._glossary = glossary
        self._client: httpx.Client | None = None
        self.model = f"{model}@{urlsplit(self._base).hostname}"

    def __repr__(self) -> str:
        return f"LLMTranslator(model={self.model!r}, url={_redact(self._base)!r})"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> LLMTranslator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def translate(self, sentences: Sequence[str]) -> list[str]:
        out = ["" for _ in sentences]
        # Blank sentences are not worth a request; they stay blank, like the gloss engine's.
        todo = [i for i, s in enumerate(sentences) if s.strip()]
        for start in range(0, len(todo), self._batch_size):
            idx = todo[start : start + self._batch_size]
            for i, en in zip(idx, self._translate_batch([sentences[i] for i in idx]), strict=True):
                out[i] = en
        return out

    def _translate_batch(self, batch: list[str]) -> list[str]:
        try:
            return self._ask(batch)
        except _BadReply as exc:
            if len(batch) == 1:
                first_problem = str(exc)
            else:
                log.warning("llm: %s for a batch of %d; retrying sentence by sentence", exc, len(batch))
                first_problem = ""
        out: list[str] = []
        for sentence in batch:
            try:
                out.extend(self._ask([sentence]))
            except _BadReply as exc:
                detail = first_problem or str(exc)
                raise TranslateError(
                    f"llm engine: model {self._model_name!r} at {self._shown} did not answer with a JSON array of "
                    f"translations ({detail}), even for a single sentence",
                    engine=ENGINE,
                ) from None
        return out

    def _ask(self, batch: list[str]) -> list[str]:
        content = self._post(self._request(batch))
        return _parse_reply(content, len(batch))

    def _request(self, batch: list[str]) -> dict[str, Any]:
        terms = prompt_terms(batch, self._glossary)
        system = SYSTEM_PROMPT
        if terms:
            system += "\n\nGlossary (Chinese → English):\n" + "\n".join(f"{zh} → {en}" for zh, en in terms)
        user = (
            f"Translate these {len(batch)} sentences. Answer with a JSON array of exactly {len(batch)} strings.\n"
            + json.dumps(batch, ensure_ascii=False)
        )
        return {
            "model": self._model_name,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": self._temperature,
            "stream": False,
        }

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
            if self._api_key:
                headers["Authorization"] = f"Bearer {self._api_key}"
            self._client = httpx.Client(timeout=self._timeout, headers=headers, follow_redirects=True)
        return self._client

    def _post(self, payload: dict[str, Any]) -> str | None:
        import httpx

        client = self._http()
        try:
            response = client.post(self._endpoint, json=payload)
        except httpx.TimeoutException:
            raise self._error(
                f"no answer from {self._shown} within {self._timeout:g} s; check llm_url and that the server is "
                "running (a slow model may need a larger timeout)",
                "llm_url",
            ) from None
        except httpx.HTTPError as exc:
            raise self._error(
                f"cannot reach {self._shown} ({type(exc).__name__}: {self._scrub(str(exc))}); check llm_url",
                "llm_url",
            ) from None
        status = response.status_code
        if status in (401, 403):
            raise self._error(
                f"{self._shown} (llm_url) refused the API key (PILOTWATCH_LLM_API_KEY): HTTP {status}"
                + ("" if self._api_key else "; no key was set"),
                KEY_ENV,
            )
        if status >= 400:
            detail = self._server_message(response)
            if status in (400, 404, 422) and "model" in detail.lower():
                raise self._error(
                    f"{self._shown} does not serve model {self._model_name!r} (HTTP {status}: {detail}); check llm_model",
                    "llm_model",
                )
            if status == 404:
                raise self._error(
                    f"no chat-completions endpoint at {self._shown} (HTTP 404); llm_url must be the API base, "
                    "e.g. http://127.0.0.1:8080/v1",
                    "llm_url",
                )
            raise self._error(f"HTTP {status} from {self._shown} ({detail}); check llm_url", "llm_url")
        try:
            data = response.json()
            choice = data["choices"][0]
            content = choice["message"].get("content")
        except (ValueError, LookupError, TypeError, AttributeError):
            raise self._error(
                f"{self._shown} answered with something other than a chat completion; check llm_url", "llm_url"
            ) from None
        if choice.get("finish_reason") == "length":
            raise _BadReply("the reply was cut off at the token limit")
        return content if isinstance(content, str) else None

    def _server_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
            error = body.get("error", body) if isinstance(body, dict) else body
            message = error.get("message", error) if isinstance(error, dict) else error
            text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        except ValueError:
            text = response.text
        text = " ".join(self._scrub(text).split())
        return text[:200] + ("…" if len(text) > 200 else "")

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def _error(self, message: str, setting: str) -> TranslateError:
        return TranslateError(self._scrub(f"llm engine: {message}"), engine=ENGINE, setting=setting)


def _parse_reply(content: str | None, count: int) -> list[str]:
    """The list of `count` translations in a reply; raises _BadReply when there is none.

    Accepts a bare JSON array, one wrapped in ```json fences or in prose, and {"<any key>": [...]}; for a single
    sentence also a bare JSON string.
    """
    if not content or not content.strip():
        raise _BadReply("empty reply")
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    value = _loads(text)
    if value is None and "[" in text and "]" in text:
        value = _loads(text[text.index("[") : text.rindex("]") + 1])  # prose around the array
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        value = lists[0] if len(lists) == 1 else None
    if isinstance(value, str) and count == 1:
        value = [value]
    if not isinstance(value, list):
        raise _BadReply("the reply is not a JSON array")
    if len(value) != count:
        raise _BadReply(f"{len(value)} translations for {count} sentences")
    if not all(isinstance(v, str) for v in value):
        raise _BadReply("the array holds something other than strings")
    return [v.strip() for v in value]


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    try:
        if parts.port:
            netloc += f":{parts.port}"
    except ValueError:  # a malformed port: show none
        pass
    return urlunsplit(parts._replace(netloc=netloc))


def create(
    url: str = "",
    model: str = "",
    api_key: str | None = None,
    timeout: float = 60.0,
    batch_size: int = 20,
    temperature: float = 0.0,
    glossary: str | None = None,
    **_: Any,
) -> LLMTranslator:
    """Factory for the engine registry. Checks the settings; contacts the server only on the first translate()."""
    url = (url or "").strip()
    model = (model or "").strip()
    if not url:
        raise TranslateError(
            "llm engine: no endpoint; set llm_url to an OpenAI-compatible API base, e.g. http://127.0.0.1:8080/v1",
            engine=ENGINE,
            setting="llm_url",
        )
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        parts = parts._replace(scheme="")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TranslateError(
            f"llm engine: llm_url must be an http(s) URL such as http://127.0.0.1:8080/v1, got {_redact(url)!r}",
            engine=ENGINE,
            setting="llm_url",
        )
    if not model:
        raise TranslateError(
            "llm engine: no model; set llm_model to a model name the endpoint serves", engine=ENGINE, setting="llm_model"
        )
    if batch_size < 1:
        raise TranslateError(
            f"llm engine: batch_size must be at least 1, got {batch_size}", engine=ENGINE, setting="batch_size"
        )
    if timeout <= 0:
        raise TranslateError(f"llm engine: timeout must be positive, got {timeout}", engine=ENGINE, setting="timeout")
    return LLMTranslator(url, model, api_key, float(timeout), int(batch_size), float(temperature), glossary)
