"""An OpenAI-compatible chat-completions provider (``ASSIST_BASE_URL``/``_API_KEY``/``_MODEL``).

It asks for one JSON object in the shape of :mod:`kgiapp.assist.draft` and trusts nothing
it gets back: timeouts, refused connections, HTTP errors, a body that is not the
chat-completions shape, content that is not JSON and a draft that fails validation each
become an :class:`AssistError` with a sentence for the page.
"""
import json
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext as _

from metrics.assist import AssistError, DraftAnswer, DraftRequest
from metrics.assist.draft import CHOICES, draft_from_payload

MAX_BODY = 1_000_000  # bytes; a draft is a few kilobytes

SYSTEM_PROMPT = """You design KPI logic trees. The company's final goal (KGI) is measured by the KPI \
whose code is given. Answer with ONE JSON object and nothing else:
{"root_formula": "<formula for the KGI's KPI>", "kpis": [{"code": "...", "name_ja": "...", \
"name_en": "...", "unit": "...", "direction": "...", "kind": "...", "phase": "...", \
"cadence": "...", "aggregation": "...", "formula": "..."}], \
"reasons": {"<code>": "<one sentence: why this KPI is in the tree>"}}
Rules: codes are lowercase a-z, 0-9 and _ (start with a letter, at most 40); formulas use only \
KPI codes, numbers, + - * / and parentheses; a KPI with a formula is computed from others, a KPI \
with "" is measured; percent KPIs are fractions inside formulas; do not list the KGI's own KPI in \
"kpis"; no loops; 4 to 15 KPIs; names in natural Japanese and English. The root formula gives \
ONE period of the KGI's grain ("grain": a monthly KGI gets a monthly formula, never an annual \
factor such as * 12). Reuse the company's existing KPIs (listed with names, unit and cadence) \
by their code in formulas instead of inventing a KPI that means the same; do not list them in \
"kpis". Give a reason for the root and for each KPI you list.
unit: {unit}. direction: {direction}. kind: {kind}. phase: {phase}. cadence: {cadence}. \
aggregation: {aggregation}."""


def _system_prompt():
    text = SYSTEM_PROMPT
    for key, values in CHOICES.items():
        text = text.replace("{" + key + "}", " | ".join(values))
    return text


def _user_prompt(request: DraftRequest) -> str:
    return json.dumps({
        "kgi": {"name": request.name, "why": request.why, "unit": request.unit},
        "kgi_kpi": {"code": request.root_code, "name_ja": request.root_name_ja,
                    "name_en": request.root_name_en},
        "grain": request.grain,
        "existing_kpis": [{"code": c, "name_ja": ja, "name_en": en, "unit": unit,
                           "cadence": cadence}
                          for c, ja, en, unit, cadence in request.existing_kpis[:200]],
        "existing_kpi_codes": sorted(request.existing_codes)[:400],
    }, ensure_ascii=False)


def _content_json(text: str):
    """The JSON object in a message; a single ```json fence around it is tolerated."""
    text = text.strip()
    if text.startswith("```") and text.endswith("```"):
        text = text[3:-3]
        text = text[4:] if text.lower().startswith("json") else text
    return json.loads(text)


class OpenAICompatibleProvider:
    key = "openai"

    def __init__(self, *, base_url: str, api_key: str, model: str, timeout: float,
                 transport=None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = timeout
        self.transport = transport

    @property
    def host(self):
        return urlsplit(self.base_url).netloc or self.base_url

    def _post(self, body: dict) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(f"{self.base_url}/chat/completions", json=body,
                                       headers=headers)
        except httpx.TimeoutException as exc:
            raise AssistError(
                _("The assistant at %(host)s did not answer within %(seconds)s seconds. Nothing "
                  "was saved; try again, or use the built-in assistant.")
                % {"host": self.host, "seconds": f"{self.timeout:g}"}, "timeout") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise AssistError(
                _("The assistant at %(host)s could not be reached (%(reason)s). Nothing was "
                  "saved; check ASSIST_BASE_URL, or use the built-in assistant.")
                % {"host": self.host, "reason": type(exc).__name__}, "unreachable") from exc
        if response.status_code != 200:
            raise AssistError(
                _("The assistant at %(host)s answered with HTTP %(status)s. Nothing was saved.")
                % {"host": self.host, "status": response.status_code}, "http")
        return response

    def _message(self, response: httpx.Response) -> str:
        malformed = AssistError(
            _("The assistant's answer was not the JSON draft that was asked for. Nothing was "
              "saved; try again, or use the built-in assistant."), "malformed")
        if len(response.content) > MAX_BODY:
            raise malformed
        try:
            content = response.json()["choices"][0]["message"]["content"]
            if not isinstance(content, str):
                raise TypeError(type(content).__name__)
            return _content_json(content)
        except (ValueError, KeyError, IndexError, TypeError, RecursionError) as exc:
            raise malformed from exc

    def tree_draft(self, request: DraftRequest) -> DraftAnswer:
        response = self._post({
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": _system_prompt()},
                         {"role": "user", "content": _user_prompt(request)}],
        })
        payload = self._message(response)
        draft = draft_from_payload(payload, root_code=request.root_code,
                                   existing_codes=request.existing_codes)
        return DraftAnswer(draft=draft, source=self.model)
