"""One timed build in its own process: ``python -m bench.buildproc OUT PROGRAMME…``.

Runs :func:`talkgraph.build.build` and prints its stage timings as JSON.  The topic matcher
runs inside the ``mapping`` stage; it is timed on its own by wrapping the topic functions
``talkgraph.parts.map_part`` calls (``assign``, ``assignment_triples``), and reported as
``topics`` (the ``mapping`` figure then excludes it).  Peak memory is measured by the parent
(``wait4``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _timed(func: Callable[..., Any], box: dict[str, float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            box["topics"] = box.get("topics", 0.0) + time.perf_counter() - start

    return wrapper


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    from talkgraph import build as build_module
    from talkgraph import parts as parts_module

    imported = time.perf_counter() - start
    box: dict[str, float] = {}
    # where map_part has them
    for name in ("programme_topics", "assign", "assignment_triples", "assignments_graph"):
        if hasattr(parts_module, name):
            setattr(parts_module, name, _timed(getattr(parts_module, name), box))
    out, programmes = Path(argv[0]), [Path(p) for p in argv[1:]]
    result = build_module.build(programmes, out=out)
    timings = {"import": imported, **result.timings}
    if "topics" in box and "mapping" in timings:
        timings["mapping"] -= box["topics"]
        timings["topics"] = box["topics"]
    report = {
        "timings": timings,
        "triples": result.manifest.triples,
        "talks": len(result.model.talks),
        "people": len(result.model.people),
        "programmes": len(programmes),
        "wall": time.perf_counter() - start,
    }
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
