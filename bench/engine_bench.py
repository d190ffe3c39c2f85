"""Engine speed figures (printed, not asserted): simulation, forecasts, voice themes, file guards.

Run: .venv/bin/python bench/engine_bench.py
"""
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kgiapp.settings")

import django  # noqa: E402

django.setup()

from engine import voice  # noqa: E402
from engine.forecast import forecast  # noqa: E402
from engine.simulate import simulate  # noqa: E402
from spreadsheets.reading import FileRejected, read_table  # noqa: E402
from tests.spreadsheets.badfiles import bad_files  # noqa: E402


def timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    leaves = {f"k{i}": (1.0 + i / 10, 0.05) for i in range(10)}

    def product(v):
        return np.prod(np.stack(list(v.values())), axis=0)

    simulate(leaves, product, 20.0)
    print(f"simulate 10 leaves x 10,000 draws: {timed(lambda: simulate(leaves, product, 20.0)) * 1000:.1f} ms")

    rng = np.random.default_rng(1)
    series = [100 + np.cumsum(rng.normal(0, 1, 156)) for _ in range(100)]
    t = timed(lambda: [forecast(y, 20, 52) for y in series], repeat=3)
    print(f"forecast 100 weekly series (156 pts, h=20): {t:.2f} s -> {t / 100 * 1000:.1f} ms/series")

    texts = [f"設定が難しくて解約を検討しています {i}" for i in range(1000)]
    comments = [voice.Comment(str(i), text) for i, text in enumerate(texts)]

    def cold_themes():
        voice.content_words.cache_clear()
        voice._tokenizer.cache_clear()
        voice.themes(comments)

    print(f"voice themes, 1,000 comments from a cold start: {timed(cold_themes, repeat=3):.2f} s")

    for name, filename, data, code in bad_files():
        if code in {"zip_bomb", "zip_too_large", "zip_too_many_entries", "line_too_long"}:
            def refuse(data=data, filename=filename, name=name):
                try:
                    read_table(data, filename)
                except FileRejected:
                    return
                raise AssertionError(f"{name} was not refused")

            print(f"refuse {name} ({len(data):,} bytes): {timed(refuse) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
