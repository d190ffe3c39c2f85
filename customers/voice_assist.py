"""Theme labels and one-line summaries by the configured model (offline labels otherwise).

The model sees only the themes' top words and a few quotes of this company's texts, and
answers ``{"themes": [{"index", "label", "summary"}]}`` in the company's language; any
failure leaves the offline labels in place.
"""
from metrics.assist import AssistError, external_configured
from metrics.assist.chat import ask_json, model_name

TASK = ("You name themes found in customer comments (NPS comments, lost-deal reasons, notes). "
        "For each theme give a short label (at most 20 characters) and one sentence saying "
        "what customers say. Use only the words and quotes given.")
SCHEMA = {"type": "object", "required": ["themes"], "properties": {"themes": {
    "type": "array", "maxItems": 12, "items": {
        "type": "object", "required": ["index", "label"], "properties": {
            "index": {"type": "integer", "minimum": 0, "maximum": 11},
            "label": {"type": "string", "maxLength": 40, "minLength": 1},
            "summary": {"type": "string", "maxLength": 300}}}}}}
QUOTES = 4
QUOTE_CHARS = 200


def theme_labeller(company=None):
    """A function that relabels ThemeViews in place, or None when no model is configured."""
    if not external_configured():
        return None

    def label(views, texts):
        language = getattr(company, "language", "ja") if company is not None else "ja"
        data = {"themes": [{"index": i, "words": v.cluster.terms[:8],
                            "quotes": [q[:QUOTE_CHARS] for q in v.cluster.examples[:QUOTES]]}
                           for i, v in enumerate(views[:12])]}
        try:
            answer = ask_json(task=TASK, data=data, schema=SCHEMA, language=language,
                              company_id=getattr(company, "pk", None))
        except AssistError:
            return
        for item in answer["themes"]:
            if item["index"] < len(views):
                view = views[item["index"]]
                view.label = item["label"]
                view.summary = item.get("summary", "")
                view.drafted_by = model_name()

    return label
