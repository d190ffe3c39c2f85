"""Text generation for the tree draft assistant: one interface, two providers.

``get_provider()`` returns the built-in provider (offline, deterministic: it matches the
KGI's text to the industry templates) unless ``ASSIST_BASE_URL`` and ``ASSIST_MODEL`` are
set, in which case the OpenAI-compatible chat-completions provider answers. Every
provider takes a :class:`DraftRequest` and returns a :class:`DraftAnswer` whose draft has
passed :func:`kgiapp.assist.draft.draft_from_payload`; every failure is an
:class:`AssistError` carrying a translated sentence for the page.
"""
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings


class AssistError(Exception):
    """The provider could not give a usable draft; ``message`` says why, in the user's language."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class DraftRequest:
    """What a provider is told: the active KGI's text and the codes the company already uses."""

    name: str
    why: str
    unit: str
    root_code: str
    root_name_ja: str
    root_name_en: str
    existing_codes: frozenset = field(default_factory=frozenset)
    grain: str = "monthly"  # the period one KGI value covers (metrics.assist.grain)
    # The company's KPIs as (code, name_ja, name_en, unit, cadence), so a model can reuse them.
    existing_kpis: tuple = ()


@dataclass(frozen=True)
class DraftAnswer:
    """A validated draft (None: the provider found nothing that fits) and where it came from."""

    draft: object  # kgiapp.assist.draft.TreeDraft | None
    source: str  # a template key for the built-in provider, the model name otherwise
    matched: tuple = ()  # the words of the KGI that led the built-in provider to its choice


class Provider(Protocol):
    key: str

    def tree_draft(self, request: DraftRequest) -> DraftAnswer: ...


def external_configured() -> bool:
    return bool(settings.ASSIST_BASE_URL and settings.ASSIST_MODEL)


def get_provider(key: str | None = None, *, template: str | None = None) -> Provider:
    """The provider named by ``key`` ("builtin" or "openai"); by default the external one if set."""
    from metrics.assist.builtin import BuiltinProvider
    from metrics.assist.openai_compat import OpenAICompatibleProvider

    if key != "builtin" and external_configured() and not template:
        return OpenAICompatibleProvider(
            base_url=settings.ASSIST_BASE_URL, api_key=settings.ASSIST_API_KEY,
            model=settings.ASSIST_MODEL, timeout=settings.ASSIST_TIMEOUT)
    return BuiltinProvider(template=template)
