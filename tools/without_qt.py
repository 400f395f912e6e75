"""Run Python with PySide6, shiboken6 and qasync unimportable: ``without_qt.py -m pytest ...``.

The core and the CLI must work on a machine without Qt; this proves it for every test run.
"""

from __future__ import annotations

import runpy
import sys
from importlib.abc import MetaPathFinder

BLOCKED = ("PySide6", "shiboken6", "qasync")


class _BlockQt(MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"{fullname} is blocked: this code must run without Qt")


def main() -> None:
    sys.meta_path.insert(0, _BlockQt())
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        raise SystemExit("usage: without_qt.py -m MODULE [ARGS...]")
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
