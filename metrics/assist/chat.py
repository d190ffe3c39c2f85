"""Asking the configured model for one small JSON object, bounded and checked.

Used for texts (theme labels, the weekly review's draft summary, the monthly narrative):
the prompt is capped at ``MAX_PROMPT_CHARS``, the answer at ``openai_compat.MAX_BODY``
bytes and ``ASSIST_TIMEOUT`` seconds, and the answer must match a small JSON schema
(``validate``: object / array / string / integer with required keys, lengths and item
counts; nothing else is accepted). Callers send only the company's own data and fall back to
their offline text on any :class:`AssistError`. Answers are cached by their prompt so a page
view does not ask twice for the same thing.
"""
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from metrics.assist import AssistError, external_configured

MAX_PROMPT_CHARS = 12_000
CACHE_SECONDS = 24 * 3600
LANGUAGE_NAMES = {"ja": "Japanese (日本語)", "en": "English"}


def _fail(path):
    raise AssistError(_("The assistant's answer did not have the expected shape (%(path)s). "
                        "The built-in text is shown instead.") % {"path": path}, "schema")


def validate(value, schema, path="$"):
    """``value`` if it matches ``schema`` (the small subset described above), else AssistError."""
    kind = schema["type"]
    if kind == "object":
        if not isinstance(value, dict):
            _fail(path)
        props = schema.get("properties", {})
        if set(value) - set(props) or set(schema.get("required", ())) - set(value):
            _fail(path)
        return {k: validate(v, props[k], f"{path}.{k}") for k, v in value.items()}
    if kind == "array":
        if not isinstance(value, list) or len(value) > schema.get("maxItems", 100):
            _fail(path)
        return [validate(v, schema["items"], f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "string":
        if not isinstance(value, str):
            _fail(path)
        value = value.strip()
        if len(value) > schema.get("maxLength", 1000) or (schema.get("minLength", 0)
                                                          and not value):
            _fail(path)
        return value
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            _fail(path)
        if not schema.get("minimum", value) <= value <= schema.get("maximum", value):
            _fail(path)
        return value
    raise ValueError(f"unsupported schema type {kind!r}")


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get((code or "ja")[:2], LANGUAGE_NAMES["ja"])


def ask_json(*, task: str, data, schema: dict, language: str, company_id) -> dict:
    """The model's answer to ``task`` about ``data``, checked against ``schema``.

    ``language`` is the company's (or team's) language: the answer is written in it,
    whoever is reading. ``company_id`` keys the cache, so one company's answer is never
    served to another. Raises AssistError when no model is configured or anything fails.
    """
    from metrics.assist.openai_compat import OpenAICompatibleProvider

    if not external_configured():
        raise AssistError(_("No assistant model is configured."), "off")
    prompt = json.dumps(data, ensure_ascii=False, default=str)
    if len(prompt) > MAX_PROMPT_CHARS:
        raise AssistError(_("Too much text to send to the assistant."), "too_large")
    system = (f"{task}\nWrite every text in {language_name(language)}. Answer with ONE JSON "
              f"object matching this JSON schema and nothing else:\n"
              f"{json.dumps(schema, ensure_ascii=False)}")
    key = "assist:" + hashlib.sha256(json.dumps(
        [company_id, settings.ASSIST_BASE_URL, settings.ASSIST_MODEL, system, prompt]).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    provider = OpenAICompatibleProvider(
        base_url=settings.ASSIST_BASE_URL, api_key=settings.ASSIST_API_KEY,
        model=settings.ASSIST_MODEL, timeout=settings.ASSIST_TIMEOUT)
    response = provider._post({
        "model": settings.ASSIST_MODEL, "temperature": 0, "max_tokens": 1200,
        "response_format": {"type": "json_object"},
        "messages": [{"role": "system", "content": system},
                     {"role": "user", "content": prompt}],
    })
    answer = validate(provider._message(response), schema)
    cache.set(key, answer, CACHE_SECONDS)
    return answer


def model_name() -> str:
    return settings.ASSIST_MODEL
