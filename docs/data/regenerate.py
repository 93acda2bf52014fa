"""Regenerate the stored results behind the README figure and the two notebooks.

    python docs/data/regenerate.py capacity       # ~5 min on 2 cores
    python docs/data/regenerate.py coordination   # ~5 min on 2 cores

``capacity``: ``rof sweep scenarios/capacity_vs_fiber.toml`` as it is (0-40 km, with and
without CSI ageing, 4 drops x 1,100 TTIs per point, one common seed), stored slim as
``docs/data/capacity_vs_fiber.h5`` (the sweep file without the per-RB SINR samples,
wall-clock timings and link tables, which are large), the figure ``rof plot`` draws from it as
``docs/img/capacity_vs_fiber.png`` and the values it plots as
``docs/data/capacity_vs_fiber_plotted.csv``.

``coordination``: ``scenarios/coordination.toml`` with its sweep cut to
``proportional_fair`` vs ``coordinated_pf`` (delayed CSI, common seed) at 16 drops x
1,100 TTIs, stored as ``docs/data/coordination.h5`` with the per-RB SINR samples thinned
to 50,000 per point (every k-th sample). The paired gains are computed from the stored
per-user throughputs (:func:`rof.edge.stats.paired_gain`).

Both files are ordinary ``rof`` result files (:mod:`rof.store`): ``rof plot`` and
``rof.store.to_xarray`` read them, and their ``scenario_toml`` attribute holds the
scenario that produced them.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "docs" / "data"
IMG = ROOT / "docs" / "img"
#: Per-point datasets left out of the stored files (large, or wall clock): per-RB SINR
#: samples, scheduler timings, and each user's link table (inputs, not results).
DROP = ("sinr_db", "scheduler_time_s", "link_cell", "link_gain_db")
SINR_KEEP = 50_000


def slim_copy(src: Path, dst: Path, *, thin_sinr: int | None = None) -> None:
    """Copy a result file without :data:`DROP` (or with ``sinr_db`` thinned to about
    ``thin_sinr`` samples), so the repository holds it at a small size."""
    tmp = dst.with_suffix(".tmp")
    with h5py.File(src, "r") as fi, h5py.File(tmp, "w") as fo:
        for k, v in fi.attrs.items():
            fo.attrs[k] = v

        def copy(name, obj):
            base = name.rsplit("/", 1)[-1]
            if isinstance(obj, h5py.Group):
                g = fo.require_group(name)
                for k, v in obj.attrs.items():
                    g.attrs[k] = v
                return
            if base in DROP and not (base == "sinr_db" and thin_sinr):
                return
            data = obj[()]
            if base == "sinr_db":
                data = data[:: max(1, data.size // thin_sinr)]
            ds = fo.create_dataset(name, data=data, compression="gzip", shuffle=True)
            for k, v in obj.attrs.items():
                ds.attrs[k] = v

        fi.visititems(copy)
    tmp.replace(dst)


def plotted_values(fig) -> list[dict]:
    """Every line of a figure as drawn: label, x and y (the test compares these)."""
    rows = []
    for ax in fig.axes:
        for line in ax.get_lines():
            x, y = line.get_data()
            for xi, yi in zip(x, y, strict=True):
                rows.append({"label": line.get_label(), "x": float(xi), "y": float(yi)})
        for i, band in enumerate(ax.collections):  # the 95 % confidence bands
            for xi, yi in band.get_paths()[0].vertices:
                rows.append({"label": f"band {i}", "x": float(xi), "y": float(yi)})
    return rows


def write_plotted(rows: list[dict], path: Path) -> None:
    with path.open("w", newline="") as fh:
        fh.write("# values drawn in docs/img/capacity_vs_fiber.png (Mbit/s vs km), by\n")
        fh.write("# rof.plot.sweep_figures on docs/data/capacity_vs_fiber.h5\n")
        w = csv.DictWriter(fh, fieldnames=["label", "x", "y"])
        w.writeheader()
        for r in rows:
            w.writerow({"label": r["label"], "x": repr(r["x"]), "y": repr(r["y"])})


def capacity() -> None:
    from rof.plot.sweep import sweep_figures
    from rof.sweep import Scenario, run_sweep

    scn = Scenario.from_toml(ROOT / "scenarios" / "capacity_vs_fiber.toml")
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "capacity_vs_fiber.h5"
        run_sweep(scn, full, progress=False)
        slim_copy(full, DATA / "capacity_vs_fiber.h5")
    fig = sweep_figures(DATA / "capacity_vs_fiber.h5")["capacity_vs_fiber.png"]
    fig.savefig(IMG / "capacity_vs_fiber.png", dpi=120)
    write_plotted(plotted_values(fig), DATA / "capacity_vs_fiber_plotted.csv")


def coordination() -> None:
    from rof.sweep import Scenario, run_sweep

    scn = Scenario.from_toml(ROOT / "scenarios" / "coordination.toml")
    d = scn.with_overrides({"run.drops": 16, "edge.csi": "delayed"}).to_dict()
    d["sweep"] = {
        "common_seed": True,
        "edge.scheduler": ["proportional_fair", "coordinated_pf"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "coordination.h5"
        run_sweep(Scenario.from_dict(d), full, progress=False)
        slim_copy(full, DATA / "coordination.h5", thin_sinr=SINR_KEEP)


if __name__ == "__main__":
    jobs = {"capacity": capacity, "coordination": coordination}
    for arg in sys.argv[1:] or list(jobs):
        if arg not in jobs:
            sys.exit(f"unknown job {arg!r}; allowed: {', '.join(jobs)}")
        jobs[arg]()
        print(f"{arg}: done")
    shutil.rmtree(DATA / "__pycache__", ignore_errors=True)
