"""Theme labels and summaries by a configured model; None when none is (offline labels stay)."""


def theme_labeller():
    return None
