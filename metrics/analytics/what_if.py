"""The what-if's own inputs: a snapshot's leaves, correlation and formula tree, stored compact.

A what-if request moves a few leaves and re-simulates the KGI with the snapshot's seed and
draws. It needs the leaves' distributions (median, sigma, positive), their shock
correlation, the formulas from the leaves up to the KGI and, to write the answer, each
leaf's name, unit and forecast. ``what_if_pack`` stores exactly that as one small ``.npz``
(numbers as float64 arrays, so a figure read back is the figure stored; names and formulas
as one JSON array of bytes; never pickled), written with the snapshot. ``what_if_unpack``
reads it without touching the rest of the snapshot (forecasts, report). A snapshot stored
before this form existed is read by ``what_if_from_payload`` from its payload and the
company's current tree, as the what-if always did for it.
"""
from __future__ import annotations

import hashlib
import io
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from threadpoolctl import ThreadpoolController

from engine.formula import parse_formula
from engine.leaves import FactorCorrelation

# The simulation's own steps, so the draws are made once per snapshot and only the moves and
# the tree are computed per request (tests pin the result to engine.simulate.simulate).
from engine.simulate import SimulationResult, _draw_leaves, _outcome, _summarise
from engine.tree import evaluate_tree, reachable
from metrics.analytics.outlook import active_kgi_with_tree, clamp_shift, leaf_specs
from metrics.models import Unit

FORMAT = 1
CACHE_SNAPSHOTS = 4
# Draws kept per process, all snapshots together: 64 MB of float64 (four snapshots of 60
# leaves × 10,000 draws take 19 MB; one of 600 leaves takes 48 MB and has it alone).
CACHE_MAX_VALUES = 8_000_000
_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
# A slider's simulation is a few small matrices: BLAS threads only wait on each other there
# (a 60 × 60 eigen-decomposition took 31 ms with two threads on a busy 2-core machine,
# 0.7 ms with one).
_THREADS = ThreadpoolController()


@dataclass
class WhatIfInputs:
    """Everything a what-if of one snapshot reads (the payload of the KGI's leaves only)."""

    specs: dict[str, tuple[float, float, bool]]  # {leaf code: (median, sigma, positive)}
    root: str
    root_unit: str
    root_sign: int
    formulas: dict[str, str]  # the formulas from the leaves up to the root, as text
    leaves: dict[str, dict]  # {code: name_ja, name_en, unit, display_mean, direction}
    kgi_unit: str = ""
    correlation: tuple[list[str], np.ndarray | FactorCorrelation] | None = None
    key: bytes = b""  # a digest of the stored form (no key: not kept between requests)
    _evaluate: object = field(default=None, repr=False, compare=False)

    def evaluator(self):
        """leaf values (formula units) → the KGI in its display units, vectorised."""
        if self._evaluate is None:
            parsed = {code: _parsed(text) for code, text in self.formulas.items()}
            root, percent = self.root, self.root_unit == Unit.PERCENT

            def evaluate(values):
                value = (evaluate_tree(root, parsed, values)[root] if root in parsed
                         else values[root])
                return value * 100.0 if percent else value

            self._evaluate = evaluate
        return self._evaluate


LEAF_FIELDS = ("name_ja", "name_en", "unit", "display_mean", "direction")


@lru_cache(maxsize=512)
def _parsed(text: str):
    """A formula parsed once per process (a slider sends the same tree many times)."""
    return parse_formula(text)


def _leaf_labels(leaves_payload: dict) -> dict[str, dict]:
    # By code, whatever order the payload's JSON came back in (PostgreSQL's jsonb sorts
    # keys by length), so the sliders and the moves read in one order.
    return {code: {key: leaves_payload[code].get(key) for key in LEAF_FIELDS}
            for code in sorted(leaves_payload)}


def what_if_pack(*, leaves_payload: dict, correlation, root, formulas, kgi_unit: str) -> bytes:
    """The compact form of a snapshot's what-if inputs (written once, with the snapshot).

    ``leaves_payload`` is the snapshot's leaves (mean, sigma, positive in formula units and
    the labels), ``correlation`` (codes, matrix or factors) or None, ``root`` the KGI's KPI and
    ``formulas`` the company's {code: Formula}; only those feeding the root are kept.
    """
    codes = sorted(leaves_payload)
    specs = leaf_specs(leaves_payload)
    tree = ({code: formulas[code].text for code in sorted(reachable(root.code, formulas))
             if code in formulas} if root.code in formulas else {})
    meta = {"format": FORMAT, "root": root.code, "root_unit": root.unit,
            "root_sign": root.sign, "formulas": tree, "kgi_unit": kgi_unit,
            "leaves": _leaf_labels(leaves_payload)}
    arrays = {
        "codes": np.array(codes, dtype=str),
        "specs": np.array([[specs[c][0], specs[c][1]] for c in codes], dtype=np.float64)
        .reshape(len(codes), 2),
        "positive": np.array([bool(specs[c][2]) for c in codes], dtype=bool),
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
    }
    if correlation:
        names, matrix = correlation
        arrays["corr_codes"] = np.array(list(names), dtype=str)
        if isinstance(matrix, FactorCorrelation):  # many leaves: leaves × T, not leaves²
            arrays["corr_loadings"] = np.asarray(matrix.loadings, dtype=np.float64)
        else:
            arrays["corr"] = np.asarray(matrix, dtype=np.float64)
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def what_if_unpack(blob: bytes) -> WhatIfInputs:
    """Read a snapshot's stored what-if inputs back, figure for figure."""
    blob = bytes(blob)
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode())
        codes = [str(c) for c in data["codes"]]
        specs = data["specs"]
        positive = data["positive"]
        correlation = None
        if "corr" in data.files:
            correlation = ([str(c) for c in data["corr_codes"]], data["corr"])
        elif "corr_loadings" in data.files:
            correlation = ([str(c) for c in data["corr_codes"]],
                           FactorCorrelation(data["corr_loadings"]))
    return WhatIfInputs(
        specs={code: (float(specs[i, 0]), float(specs[i, 1]), bool(positive[i]))
               for i, code in enumerate(codes)},
        root=meta["root"], root_unit=meta["root_unit"], root_sign=int(meta["root_sign"]),
        formulas=meta["formulas"], leaves=meta["leaves"], kgi_unit=meta.get("kgi_unit", ""),
        correlation=correlation, key=hashlib.blake2b(blob, digest_size=16).digest())


def what_if_from_payload(company, payload: dict) -> WhatIfInputs:
    """An old snapshot (no stored inputs): its payload's leaves with today's tree.

    Raises ``OutlookUnavailable`` without an active KGI and ``FormulaError`` when today's
    tree no longer fits the snapshot's leaves (as the what-if always did for these rows).
    """
    _kgi, root, formulas, _codes = active_kgi_with_tree(company)
    leaves_payload = payload.get("leaves", {})
    found = payload.get("correlation")
    tree = ({code: formulas[code].text for code in reachable(root.code, formulas)
             if code in formulas} if root.code in formulas else {})
    return WhatIfInputs(
        specs=leaf_specs(leaves_payload), root=root.code, root_unit=root.unit,
        root_sign=root.sign, formulas=tree, leaves=_leaf_labels(leaves_payload),
        kgi_unit=payload.get("kgi", {}).get("unit", ""),
        correlation=(found["codes"], found["matrix"]) if found else None)


def _base_draws(inputs: WhatIfInputs, draws: int, seed: int) -> dict[str, np.ndarray]:
    """The snapshot's leaf draws before any move: ``engine.simulate``'s own, kept per process.

    They depend only on the stored inputs, the draws and the seed, so the sliders of one
    snapshot share them (40 ms of a 10,000 × 60 simulation, 2 ms left per request); the
    least recently used go first, beyond CACHE_SNAPSHOTS or CACHE_MAX_VALUES in all.
    """
    key = (inputs.key, draws, seed) if inputs.key else None
    with _CACHE_LOCK:
        found = _CACHE.get(key) if key else None
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    with _THREADS.limit(limits=1, user_api="blas"):
        base = _draw_leaves(inputs.specs, draws, seed, "auto", inputs.correlation)
    if key and _size(base) <= CACHE_MAX_VALUES:
        for values in base.values():
            values.flags.writeable = False  # shared by every request of this process
        with _CACHE_LOCK:
            _CACHE[key] = base
            while len(_CACHE) > CACHE_SNAPSHOTS or \
                    sum(_size(kept) for kept in _CACHE.values()) > CACHE_MAX_VALUES:
                _CACHE.popitem(last=False)
    return base


def _size(base: dict[str, np.ndarray]) -> int:
    return sum(values.size for values in base.values())


def what_if_simulate(inputs: WhatIfInputs, *, shifts_pct: dict, target: float, draws: int,
                     seed: int) -> SimulationResult:
    """Probability and percentiles with leaves moved by ``shifts_pct`` (±30 % at most).

    The snapshot's distributions, correlation and draws (same seed), so a scenario differs
    from the baseline only by the moves: exactly ``engine.simulate.simulate`` with
    ``shifts``, its draws made once per snapshot.
    """
    factors = {code: 1 + clamp_shift(pct) / 100
               for code, pct in shifts_pct.items() if code in inputs.specs}
    base = _base_draws(inputs, draws, seed)
    return _summarise(_outcome(base, inputs.evaluator(), factors), float(target),
                      inputs.root_sign)
