"""Run the command line in the test's own process (helpers, no tests): what ``python -m streams``
would exit with and print, through ``streams.__main__.main``."""
from __future__ import annotations

import io
import sys

from streams.__main__ import main


def run(args, stdin: bytes = b""):
    """(exit code, stdout text, stderr text) of ``python -m streams ARGS``, in this process."""
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    out_bytes = io.BytesIO()
    sys.stdout = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    sys.stderr = err = io.StringIO()
    try:
        try:
            code = main(list(args))
        except SystemExit as exc:   # argparse's own exits (--help, a bad option)
            code = exc.code
        sys.stdout.flush()
        return code, out_bytes.getvalue().decode(), err.getvalue()
    finally:
        sys.stdout.detach()
        sys.stdin, sys.stdout, sys.stderr = saved
