"""The what-if's compact inputs: read back figure for figure, simulated as the engine does."""
import numpy as np
import pytest

from engine.leaves import FactorCorrelation
from engine.simulate import simulate
from metrics.analytics import kgi_outlook
from metrics.analytics import what_if as module
from metrics.analytics.what_if import what_if_pack, what_if_simulate, what_if_unpack
from tests.metrics.analytics.shop import build_shop, month_after_data

pytestmark = pytest.mark.django_db
MOVES = [{}, {"cvr": 10}, {"visits": -30, "cvr": 4.5}, {"cvr": 500}, {"nope": 5}]


@pytest.fixture
def snapshot():
    company, _kgi, _ = build_shop(target=4.35 * 10_000 * 2.0 / 100 * 1.05)
    outlook = kgi_outlook(company, as_of=month_after_data(), draws=5_000, seed=11)
    leaves = {c: {"mean": leaf.mean, "sigma": leaf.sigma, "positive": leaf.positive,
                  "unit": leaf.unit, "name_ja": c, "name_en": c, "display_mean": leaf.mean,
                  "direction": leaf.direction}
              for c, leaf in outlook.leaves.items()}
    blob = what_if_pack(leaves_payload=leaves, correlation=outlook.correlation,
                        root=outlook.root, formulas=outlook.formulas, kgi_unit="count")
    return outlook, blob


def test_the_stored_form_reads_back_exactly_and_keeps_only_the_kgis_tree(snapshot):
    outlook, blob = snapshot
    inputs = what_if_unpack(blob)
    assert inputs.specs == {c: leaf.as_spec() for c, leaf in outlook.leaves.items()}
    codes, matrix = outlook.correlation
    assert inputs.correlation[0] == list(codes)
    assert inputs.correlation[1].tolist() == matrix  # float64: no figure rounded
    assert inputs.formulas == {"orders": "visits * cvr"}
    assert (inputs.root, inputs.root_sign) == ("orders", 1)
    assert len(blob) < 2_000


def test_a_what_if_is_the_engines_simulation_with_the_draws_made_once(snapshot, monkeypatch):
    outlook, blob = snapshot
    module._CACHE.clear()
    made = []
    real = module._draw_leaves
    monkeypatch.setattr(module, "_draw_leaves", lambda *a, **k: made.append(1) or real(*a, **k))
    target = float(outlook.kgi.target)
    for moves in MOVES:
        inputs = what_if_unpack(blob)  # a new request reads the column again
        got = what_if_simulate(inputs, shifts_pct=moves, target=target,
                               draws=outlook.draws, seed=outlook.seed)
        factors = {c: 1 + max(-30, min(30, p)) / 100 for c, p in moves.items()
                   if c in inputs.specs}
        expected = simulate(inputs.specs, outlook.evaluator(), target, outlook.root.sign,
                            draws=outlook.draws, seed=outlook.seed, shifts=factors,
                            correlation=outlook.correlation)
        assert got == expected, moves
    assert len(made) == 1
    assert what_if_simulate(inputs, shifts_pct={}, target=target, draws=outlook.draws,
                            seed=outlook.seed).probability == outlook.probability


def test_the_kept_draws_stay_within_their_budget(snapshot, monkeypatch):
    outlook, blob = snapshot
    module._CACHE.clear()
    inputs = what_if_unpack(blob)
    size = outlook.draws * len(inputs.specs)
    monkeypatch.setattr(module, "CACHE_MAX_VALUES", 2 * size)
    target = float(outlook.kgi.target)
    for seed in (1, 2, 3):  # three snapshots' worth: the oldest goes
        what_if_simulate(inputs, shifts_pct={}, target=target, draws=outlook.draws, seed=seed)
    assert [key[2] for key in module._CACHE] == [2, 3]
    monkeypatch.setattr(module, "CACHE_MAX_VALUES", size - 1)  # too big to keep at all
    module._CACHE.clear()
    what_if_simulate(inputs, shifts_pct={}, target=target, draws=outlook.draws, seed=4)
    assert not module._CACHE
    monkeypatch.setattr(module, "CACHE_MAX_VALUES", size)
    what_if_simulate(inputs, shifts_pct={}, target=target, draws=outlook.draws, seed=5)
    kept = next(iter(module._CACHE[(inputs.key, outlook.draws, 5)].values()))
    with pytest.raises(ValueError):  # what is kept is shared: nobody writes into it
        kept[0] = 1.0


def test_a_correlation_in_factor_form_is_stored_as_its_loadings_and_draws_alike(snapshot):
    """Many leaves (more than their shocks) come as factors: the what-if keeps those."""
    outlook, _blob = snapshot
    codes = sorted(outlook.leaves)
    factors = FactorCorrelation(np.array([[0.6, 0.3, 0.0], [0.5, -0.2, 0.4]]))
    leaves = {c: {"mean": leaf.mean, "sigma": leaf.sigma, "positive": leaf.positive,
                  "unit": leaf.unit, "name_ja": c, "name_en": c, "display_mean": leaf.mean,
                  "direction": leaf.direction}
              for c, leaf in outlook.leaves.items()}
    blob = what_if_pack(leaves_payload=leaves, correlation=(codes, factors),
                        root=outlook.root, formulas=outlook.formulas, kgi_unit="count")
    inputs = what_if_unpack(blob)
    assert inputs.correlation[0] == codes
    assert np.array_equal(inputs.correlation[1].loadings, factors.loadings)
    module._CACHE.clear()
    target = float(outlook.kgi.target)
    for moves in MOVES[:3]:
        factors_pct = {c: 1 + p / 100 for c, p in moves.items()}
        expected = simulate(inputs.specs, outlook.evaluator(), target, outlook.root.sign,
                            draws=outlook.draws, seed=outlook.seed, shifts=factors_pct,
                            correlation=(codes, factors))
        assert what_if_simulate(inputs, shifts_pct=moves, target=target, draws=outlook.draws,
                                seed=outlook.seed) == expected, moves
