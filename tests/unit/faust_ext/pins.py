"""What the contract tests of tests/unit/faust_ext/ compare: the source an upstream function or
file had when streams.faust_ext was written against it, and a function's parameters.

When a pin fails after an upgrade: read the upstream change, check the streams.faust_ext code that
names it (and the upstream report in docs/upstream.md, if the change may fix it), adapt, then
update the pinned value."""
from __future__ import annotations

import hashlib
import inspect
from importlib import resources


def source_sha(obj) -> str:
    """SHA-256 of the source of a function, method or class."""
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()


def file_sha(package: str, name: str) -> str:
    """SHA-256 of a file shipped inside an installed package (e.g. a Cython .pyx)."""
    return hashlib.sha256(resources.files(package).joinpath(name).read_bytes()).hexdigest()


def params(fn) -> list[str]:
    """The parameter names of ``fn``, in order."""
    return list(inspect.signature(fn).parameters)
