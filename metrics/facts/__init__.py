"""Per-KPI facts: what a card shows, stored and kept current by the writers.

``store`` computes and writes them (and holds the reads they are built from);
``triggers`` marks them dirty whatever writes measurements or targets; the pages read
them through ``metrics.cards``.
"""
