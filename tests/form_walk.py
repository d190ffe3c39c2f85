"""Walk a page's real forms in tests: fetch the page, send its own fields back with changes."""
from html.parser import HTMLParser


class _Forms(HTMLParser):
    """The POST forms of a page: action and the values the browser would send."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or a.get("hx-post") or "",
                          "method": (a.get("method") or ("post" if "hx-post" in a else "get"))
                          .lower(), "data": {}, "names": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            self._form["names"].add(name)
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["data"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._form["data"][name] = a.get("value", "")
        elif tag == "select" and name:
            self._form["names"].add(name)
            self._select = name
            self._form["data"].setdefault(name, None)
        elif tag == "option" and self._select:
            if self._form["data"].get(self._select) is None or "selected" in a:
                self._form["data"][self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._form["names"].add(name)
            self._textarea = name
            self._form["data"][name] = ""

    def handle_data(self, data):
        if self._textarea:
            self._form["data"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def submit(client, page_url, values, post_url=None):
    """GET the page, find its POST form with these fields, send it back with ``values``."""
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    parser = _Forms()
    parser.feed(page.content.decode())
    wanted = set(values)
    forms = [f for f in parser.forms if f["method"] == "post" and wanted <= f["names"]
             and (post_url is None or f["action"] in ("", post_url))]
    assert forms, f"no form with {sorted(wanted)} on {page_url}"
    form = forms[0]
    data = {k: v for k, v in form["data"].items() if v is not None}
    data.update(values)
    return client.post(post_url or form["action"] or page_url, data, follow=True)
