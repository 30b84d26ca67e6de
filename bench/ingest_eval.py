"""Precision and recall of talkgraph's programme reader over the real-sample corpus.

Every ``X.expected.yaml`` under ``tests/data/real/`` (or the directories given) names an input
``X`` next to it; the input is read with :func:`talkgraph.ingest.load_programme` exactly as
``talkgraph build`` reads it, and compared with the hand-written expected result
(``docs/ingest-expected-format.md``). Figures are micro-averaged over the corpus, per field:
talks, titles, speakers, institutions, co-authors, arXiv ids; plus the persons and institutions
talkgraph produced that the input's text does not contain anywhere ("invented").

    .venv/bin/python bench/ingest_eval.py            # table over tests/data/real
    .venv/bin/python bench/ingest_eval.py -v          # and per-file misses
    .venv/bin/python bench/ingest_eval.py --json out.json
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from talkgraph.errors import TalkgraphError  # noqa: E402
from talkgraph.ingest import load_programme  # noqa: E402
from talkgraph.model import Programme, TalkEntry  # noqa: E402
from talkgraph.registry import Registry, split_affiliation  # noqa: E402

FIELDS = ("talks", "titles", "speakers", "institutions", "coauthors", "arxiv")
_STRIP = " \t\"'`*_.,;:()[]{}<>«»“”‘’"


def norm(text: str | None) -> str:
    """The form two strings share when a reader would call them the same."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", html.unescape(text)).casefold()
    text = text.replace("–", "-").replace("—", "-").replace("’", "'")
    return " ".join(text.split()).strip(_STRIP)


def tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", norm(text)))


@dataclass
class Talk:
    """One talk reduced to the compared fields (values normalised)."""

    title: str | None
    speakers: list[str]
    institutions: list[str]
    coauthors: list[str]
    arxiv: list[str]
    raw_title: str | None = None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class FileResult:
    path: Path
    counts: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    untitled: int = 0  # expected slots with ``title: null``: not talks (no title to publish)
    invented: list[str] = field(default_factory=list)
    error: str | None = None
    misses: list[str] = field(default_factory=list)


KNOWN_KEYS = {"title", "speakers", "institutions", "coauthors", "arxiv", "abstract", "bio"}
KNOWN_KEYS |= {"start", "end", "room", "track"}


def expected_talks(data: dict[str, Any], where: str = "") -> list[Talk]:
    out = []
    for n, item in enumerate(data.get("talks") or []):
        unknown = set(item) - KNOWN_KEYS
        if unknown:  # e.g. a YAML flow mapping cut at an unquoted comma
            print(f"warning: {where} talks[{n}]: unknown keys {sorted(unknown)}", file=sys.stderr)
        title = item.get("title")
        out.append(
            Talk(
                title=norm(str(title)) if title is not None else None,
                speakers=[norm(s) for s in item.get("speakers") or []],
                institutions=[norm(s) for s in item.get("institutions") or []],
                coauthors=[norm(s) for s in item.get("coauthors") or []],
                arxiv=[str(a).strip().lower() for a in item.get("arxiv") or []],
                raw_title=str(title) if title is not None else None,
            )
        )
    return out


def _speakers(entry: TalkEntry) -> list[Any]:
    """Every speaker of a parsed talk (a model with several speakers per talk is honoured)."""
    many = getattr(entry, "speakers", None)
    return list(many) if many else [entry.speaker]


def parsed_talks(programme: Programme, registry: Registry) -> list[Talk]:
    out = []
    for entry in programme.talks:
        speakers = _speakers(entry)
        insts: list[str] = []
        for sp in speakers:
            if sp.institution is not None and sp.institution.text.strip():
                insts += [norm(p.name) for p in split_affiliation(sp.institution.text, registry)]
        title = entry.title.text if entry.title is not None else None
        out.append(
            Talk(
                title=norm(title) if title and title.strip() else None,
                speakers=[norm(sp.name.text) for sp in speakers],
                institutions=list(dict.fromkeys(insts)),
                coauthors=[norm(m.text) for m in entry.coauthors],
                arxiv=[ref.arxiv_id.lower() for ref in entry.citations],
                raw_title=title,
            )
        )
    return out


def _similar(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    ta, tb = tokens(a), tokens(b)
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.5


def match(expected: Sequence[Talk], parsed: Sequence[Talk]) -> list[tuple[int, int]]:
    """One-to-one pairs (expected index, parsed index), best evidence first, then in order."""
    pairs: list[tuple[int, int]] = []
    used_e: set[int] = set()
    used_p: set[int] = set()

    def take(ok: Any) -> None:
        for i, e in enumerate(expected):
            if i in used_e:
                continue
            for j, p in enumerate(parsed):
                if j not in used_p and ok(e, p):
                    pairs.append((i, j))
                    used_e.add(i)
                    used_p.add(j)
                    break

    def same_speaker(e: Talk, p: Talk) -> bool:
        return bool(set(e.speakers) & set(p.speakers))

    take(lambda e, p: e.title is not None and e.title == p.title and same_speaker(e, p))
    take(lambda e, p: e.title is None and same_speaker(e, p) and p.title is None)
    take(lambda e, p: same_speaker(e, p) and _similar(e.title, p.title))
    take(lambda e, p: e.title is not None and e.title == p.title)
    take(lambda e, p: e.title is None and same_speaker(e, p))
    return sorted(pairs)


def _multiset(a: Iterable[str], b: Iterable[str]) -> Counts:
    ca, cb = Counter(x for x in a if x), Counter(x for x in b if x)
    tp = sum((ca & cb).values())
    return Counts(tp=tp, fp=sum(cb.values()) - tp, fn=sum(ca.values()) - tp)


def compare(expected: Sequence[Talk], parsed: Sequence[Talk], result: FileResult) -> None:
    pairs = match(expected, parsed)
    c = result.counts
    matched_e = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    c["talks"].add(
        Counts(tp=len(pairs), fp=len(parsed) - len(pairs), fn=len(expected) - len(pairs))
    )
    for i, j in pairs:
        e, p = expected[i], parsed[j]
        if e.title is not None:
            ok = e.title == p.title
            c["titles"].add(
                Counts(tp=int(ok), fp=int(not ok and p.title is not None), fn=int(not ok))
            )
            if not ok:
                result.misses.append(f"title: expected {e.raw_title!r}, got {p.raw_title!r}")
        for name in ("speakers", "institutions", "coauthors", "arxiv"):
            counts = _multiset(getattr(e, name), getattr(p, name))
            c[name].add(counts)
            if counts.fp or counts.fn:
                result.misses.append(
                    f"{name} of {e.raw_title!r}: "
                    f"expected {getattr(e, name)}, got {getattr(p, name)}"
                )
    for i, e in enumerate(expected):
        if i in matched_e:
            continue
        result.misses.append(f"missed talk {e.raw_title!r} by {e.speakers}")
        if e.title is not None:
            c["titles"].fn += 1
        for name in ("speakers", "institutions", "coauthors", "arxiv"):
            c[name].fn += len(getattr(e, name))
    for j, p in enumerate(parsed):
        if j in matched_p:
            continue
        result.misses.append(f"extra talk {p.raw_title!r} by {p.speakers}")
        if p.title is not None:
            c["titles"].fp += 1
        for name in ("speakers", "institutions", "coauthors", "arxiv"):
            c[name].fp += len(getattr(p, name))


def invented(parsed: Sequence[Talk], source_text: str) -> list[str]:
    """Person and institution names that occur nowhere in the input's text."""
    text = norm(source_text)
    text_flat = " ".join(re.findall(r"\w+", text))
    out = []
    for talk in parsed:
        for value in [*talk.speakers, *talk.coauthors, *talk.institutions]:
            flat = " ".join(re.findall(r"\w+", value))
            if value and value not in text and flat not in text_flat:
                out.append(value)
    return out


def evaluate(path: Path, registry: Registry) -> FileResult:
    expected_file = path.with_name(path.name + ".expected.yaml")
    data = yaml.safe_load(expected_file.read_text("utf-8")) or {}
    result = FileResult(path)
    if data.get("skip"):
        return result
    expected = [t for t in expected_talks(data, expected_file.name) if t.title is not None]
    result.untitled = len(data.get("talks") or []) - len(expected)
    try:
        programme = load_programme(path)
        parsed = parsed_talks(programme, registry)
    except TalkgraphError as exc:
        result.error = str(exc)
        parsed = []
    compare(expected, parsed, result)
    result.invented = invented(parsed, source_text(path))
    return result


def source_text(path: Path) -> str:
    """The text an input holds, to look names up in: a spreadsheet's cells (an XLSX file is a
    zip, its bytes name nothing), any other file's bytes as UTF-8."""
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            return "\n".join(
                "\t".join("" if cell is None else str(cell) for cell in row)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def inputs(dirs: Sequence[Path]) -> list[Path]:
    found = []
    for d in dirs:
        for exp in sorted(d.rglob("*.expected.yaml")):
            found.append(exp.with_name(exp.name[: -len(".expected.yaml")]))
    return found


def table(
    total: dict[str, Counts], invented_count: int, files: int, talks: int, untitled: int
) -> str:
    lines = [
        f"Corpus: {files} inputs, {talks} expected talks "
        f"(+{untitled} slots naming a speaker but no title, not counted)",
        "",
        "| field        | precision | recall |   TP |   FP |   FN |",
        "|--------------|----------:|-------:|-----:|-----:|-----:|",
    ]
    for name in FIELDS:
        c = total[name]
        lines.append(
            f"| {name:<12} | {c.precision:9.3f} | {c.recall:6.3f} "
            f"| {c.tp:4d} | {c.fp:4d} | {c.fn:4d} |"
        )
    lines.append("")
    lines.append(f"Persons/institutions not named anywhere in their input: {invented_count}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=[ROOT / "tests" / "data" / "real"])
    parser.add_argument("-v", "--verbose", action="store_true", help="per-file misses")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    registry = Registry.load()
    total = {f: Counts() for f in FIELDS}
    results = []
    n_talks = 0
    for path in inputs(args.dirs):
        res = evaluate(path, registry)
        results.append(res)
        for name in FIELDS:
            total[name].add(res.counts[name])
        n_talks += res.counts["talks"].tp + res.counts["talks"].fn
    n_invented = sum(len(r.invented) for r in results)
    n_untitled = sum(r.untitled for r in results)
    print(table(total, n_invented, len(results), n_talks, n_untitled))
    print()
    print("| input | talks P | talks R | note |")
    print("|-------|--------:|--------:|------|")
    for r in results:
        c = r.counts["talks"]
        note = f"error: {r.error}" if r.error else ""
        if r.invented:
            note += f" invented: {r.invented}"
        rel = r.path.relative_to(ROOT) if r.path.is_relative_to(ROOT) else r.path
        print(f"| {rel} | {c.precision:.3f} | {c.recall:.3f} | {note.strip()} |")
        if args.verbose:
            for miss in r.misses:
                print(f"    - {miss}")
    if args.json:
        out = {
            "fields": {
                n: vars(total[n]) | {"precision": total[n].precision, "recall": total[n].recall}
                for n in FIELDS
            },
            "invented": n_invented,
            "files": {str(r.path): {n: vars(r.counts[n]) for n in FIELDS} for r in results},
        }
        args.json.write_text(json.dumps(out, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
