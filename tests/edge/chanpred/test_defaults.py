"""One default each (issue 14 item 5): reduced size, top-k and threshold agree between
the dock, its CLI, the channel predictor and the scenario's [edge.learnware] table."""

import inspect

from rof.cli import build_parser
from rof.edge.chanpred.build import build_channel_dock
from rof.edge.chanpred.predictor import ChannelPredictor
from rof.learnware import Dock, RKMESpecification
from rof.learnware.paths import MMD_THRESHOLD, REDUCED_SIZE, TOP_K
from rof.scenario import Scenario


def _default(fn, name):
    return inspect.signature(fn).parameters[name].default


def test_every_entry_point_shares_one_default():
    assert _default(RKMESpecification.fit, "reduced_size") == REDUCED_SIZE
    assert _default(build_channel_dock, "reduced_size") == REDUCED_SIZE
    assert _default(ChannelPredictor.from_dock, "reduced_size") == REDUCED_SIZE
    assert _default(ChannelPredictor.from_dock, "top_k") == TOP_K
    assert _default(Dock.search, "top_k") == TOP_K
    assert _default(Dock.__init__, "mmd_threshold") == MMD_THRESHOLD
    args = build_parser().parse_args(["dock", "search", "x.csv"])
    assert (args.reduced_size, args.top_k) == (REDUCED_SIZE, TOP_K)
    lw = Scenario.from_dict({"name": "d"}).edge.learnware
    assert (lw.reduced_size, lw.top_k, lw.mmd_threshold) == (REDUCED_SIZE, TOP_K, MMD_THRESHOLD)


def test_the_dock_imports_no_task_radio_or_edge_code():
    import pathlib
    import re

    import rof.learnware

    root = pathlib.Path(rof.learnware.__file__).parent
    pattern = re.compile(r"^\s*(from|import)\s+rof\.(radio|edge|link|sweep|scenario)", re.M)
    offenders = [p.name for p in root.glob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
