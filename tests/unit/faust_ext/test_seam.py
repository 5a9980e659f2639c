"""The seam holds: outside streams/faust_ext/, streams/ reaches no private name of Faust, mode or
aiokafka and imports only their public modules.

A private name is an attribute ``._x``; outside the package such an attribute may only be read on
``self``/``cls`` (the project's own objects) or on the few standard-library and own names listed
below. An import of any other Faust, mode or aiokafka module (a driver, a sensor, a store, a
protocol class) is a use of their internals and belongs in streams/faust_ext/."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

STREAMS = Path(__file__).resolve().parents[3] / "streams"
SEAM = STREAMS / "faust_ext"
UPSTREAM = ("faust", "mode", "aiokafka")
# the public modules of the three that code outside the seam may import
PUBLIC = {"faust", "faust.auth", "faust.types.auth", "aiokafka", "aiokafka.errors",
          "aiokafka.admin", "aiokafka.structs",
          # DefaultPartitioner: documented as the producer's `partitioner` default (the pair page
          # computes a pair's partition with the producer's own murmur2)
          "aiokafka.partitioner",
          # faust.types.TP: the public TopicPartition type (faust.TopicPartition)
          "faust.types"}
# receivers of a private attribute that are not upstream objects: the stdlib's os._exit, and the
# command line's own argparse.Namespace attribute set by streams.__main__
OWN_RECEIVERS = {"self", "cls", "os", "args"}


def _modules() -> list[Path]:
    return sorted(p for p in STREAMS.rglob("*.py") if SEAM not in p.parents)


def _private_attributes(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__") and node.attr[1:2].islower()):
            base = node.value
            if not (isinstance(base, ast.Name) and base.id in OWN_RECEIVERS):
                yield node.lineno, ast.unparse(node)


def _upstream_imports(tree: ast.AST):
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in UPSTREAM and name not in PUBLIC:
                yield node.lineno, name


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(STREAMS)))
def test_no_private_name_outside_the_seam(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert list(_private_attributes(tree)) == []
    assert list(_upstream_imports(tree)) == []


def test_the_check_finds_what_it_looks_for():
    tree = ast.parse("import faust\nfrom faust.transport.drivers import aiokafka\n"
                     "x = app.consumer._thread\nself._ok = os._exit\n")
    assert list(_private_attributes(tree)) == [(3, "app.consumer._thread")]
    assert list(_upstream_imports(tree)) == [(2, "faust.transport.drivers")]
