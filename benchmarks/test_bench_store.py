"""Speed of the store on both engines (issue 16): recording one plan, and listing the newest 100
records as the history grows to 100,000 (the listing walks the primary-key index backwards, so
it should stay flat). `python -m pytest benchmarks/test_bench_store.py`.

PostgreSQL is a real server started for the run (tests/pg.py, the same as the test suite's).
The history is filled in bulk with copies of one real record (inputs and results of a real
plan, about 3.8 kB a row), each with its own uid; then History.search(limit=100) is timed.
Figures are printed and kept in extra_info, not asserted.
"""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from ivig_desktop import __version__
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.store import schema
from ivig_desktop.store.history import History
from ivig_desktop.store.plan_file import inputs_to_dict
from tests.helpers import plan

SIZES = (1_000, 10_000, 100_000)


@pytest.fixture(scope="module")
def postgres():
    from tests.pg import running

    with running() as server:
        yield server


@pytest.fixture(scope="module")
def stores(postgres, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from ivig_desktop.cli import main

    pg = postgres.url(postgres.new_database())
    assert main(["db", "init", "--database", pg]) == 0
    sqlite = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'history.sqlite3'}"
    return {"sqlite": sqlite, "postgresql": pg}


def _template() -> dict:
    p = plan()

    return {
        "recorded_at": "2026-12-01T08:00:00",
        "user": "bench",
        "workstation": "bench",
        "action": "save",
        "label": "/plans/bench.ivig",
        "product": p.product.id,
        "indication": "pid",
        "inputs_json": json.dumps(inputs_to_dict(p.patient, p.order)),
        "results_json": json.dumps(plan_to_dict(p)),
        "overrides_json": "[]",
        "formulary_revision": p.formulary_revision,
        "app_version": __version__,
    }


def _grow(url: str, size: int) -> None:
    """Bulk-insert copies of one real record until the history holds at least ``size`` rows (a
    store the larger listing cases already grew is left as it is)."""
    history = History(database=url)
    have = history.count()
    if have >= size:
        return
    store = history.store
    row = _template()
    with store.engine.begin() as conn:
        while have < size:
            n = min(5_000, size - have)
            conn.execute(schema.record.insert(), [{**row, "uid": uuid.uuid4().hex} for _ in range(n)])
            have += n
    assert history.count() == size


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_record_one_plan(benchmark, capsys, stores: dict[str, str], engine: str) -> None:
    history = History(database=stores[engine])
    p = plan()
    history.record(p, "save", "warm")  # schema checked, connection pool filled
    before = history.count()
    benchmark.pedantic(history.record, args=(p, "save", "bench"), rounds=50, iterations=1)
    assert history.count() == before + 50
    median_ms = benchmark.stats.stats.median * 1000
    benchmark.extra_info.update(median_ms=round(median_ms, 3))
    with capsys.disabled():
        print(f"\n  record one plan, {engine}: median {median_ms:.2f} ms")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_list_newest_100(benchmark, capsys, stores: dict[str, str], engine: str, size: int) -> None:
    _grow(stores[engine], size)
    history = History(database=stores[engine])
    entries = benchmark(history.search, "", 100)
    assert len(entries) == 100 and entries[0].id > entries[-1].id
    median_ms = benchmark.stats.stats.median * 1000
    benchmark.extra_info.update(median_ms=round(median_ms, 3), rows=size)
    with capsys.disabled():
        print(f"\n  newest 100 of {size:,}, {engine}: median {median_ms:.2f} ms")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_explain_uses_the_primary_key(stores: dict[str, str], engine: str) -> None:
    """The listing reads the primary key backwards and stops after 100 (why it stays flat)."""
    _grow(stores[engine], 10_000)  # when run alone: a history large enough for the planner to choose
    history = History(database=stores[engine])
    if engine == "postgresql":
        with history.store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE record")
    r = schema.record.c
    query = sa.select(r.id, r.label).order_by(r.id.desc()).limit(100)
    sql = str(query.compile(history.store.engine, compile_kwargs={"literal_binds": True}))
    with history.store.engine.connect() as conn:
        prefix = "EXPLAIN QUERY PLAN " if engine == "sqlite" else "EXPLAIN "
        plan_text = " ".join(str(row) for row in conn.exec_driver_sql(prefix + sql))
    if engine == "sqlite":
        # The rowid table is its own primary-key b-tree, walked backwards: no sort step.
        assert "SCAN record" in plan_text and "TEMP B-TREE" not in plan_text, plan_text
    else:
        assert "Index Scan Backward" in plan_text, plan_text
