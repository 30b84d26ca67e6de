"""Measuring topics and co-topic links against gold pairs (``bench/topics_eval.py``).

Gold is a YAML file with ``related`` and ``unrelated`` lists of ``[talk key, talk key, …]``
(anything after the two keys is a comment). The figures:

* pair recall: the share of related pairs that are linked;
* unrelated-pair rate: the share of unrelated pairs that are linked;
* density: links over possible links of the talk graph;
* talks without topic: talks with an abstract of at least :data:`MIN_WORDS` words that got none;
* top topic share: per programme of at least :data:`MIN_PROGRAMME` talks, the largest share of
  its talks one topic is on (the talks' own topics: a theme lifted to the event is not one);
* themes: the concepts lifted to their events (:mod:`.themes`), and the talks that keep one as
  their only topic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import InputError, Place
from ..model import Talk
from .matcher import Assignment, topics_of
from .similarity import Link, density
from .themes import Themed
from .vocabulary import Vocabulary

MIN_WORDS = 40
#: Programmes with fewer talks are left out of the top topic share (one talk of three is a third).
MIN_PROGRAMME = 4


@dataclass(frozen=True)
class Gold:
    related: list[tuple[str, str]]
    unrelated: list[tuple[str, str]]


def load_gold(path: Path, known: Sequence[str] | None = None) -> Gold:
    """Read gold pairs; with ``known``, every key must be one of them."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read gold pairs: {exc}", Place(str(path))) from None
    if not isinstance(data, dict):
        raise InputError("gold pairs must be a mapping with related/unrelated", Place(str(path)))
    out: dict[str, list[tuple[str, str]]] = {}
    for name in ("related", "unrelated"):
        pairs = []
        for n, item in enumerate(data.get(name) or []):
            if not isinstance(item, list) or len(item) < 2:
                raise InputError(
                    "a pair is a list of two talk keys", Place(str(path), field=f"{name}[{n}]")
                )
            a, b = str(item[0]), str(item[1])
            for key in (a, b):
                if known is not None and key not in known:
                    raise InputError(
                        f"unknown talk {key!r}", Place(str(path), field=f"{name}[{n}]")
                    )
            pairs.append((min(a, b), max(a, b)))
        out[name] = pairs
    return Gold(out["related"], out["unrelated"])


@dataclass(frozen=True)
class Figures:
    talks: int
    links: int
    pair_recall: float
    unrelated_rate: float
    density: float
    with_abstract: int  # talks with an abstract of at least MIN_WORDS words
    without_topic: list[str]  # of those, the talks that got no topic
    top_topic_share: float  # the largest share of a programme's talks that one topic is on
    top_topic: str
    top_programme: str
    themes: list[tuple[str, str]]  # (programme, theme) lifted to the event
    kept: list[tuple[str, str]]  # (talk, theme) kept as the talk's only topic
    missed: list[tuple[str, str]]
    false_links: list[tuple[str, str]]


def words(text: str | None) -> int:
    return len((text or "").split())


def top_share(
    talks: Sequence[Talk],
    programme_of: Mapping[str, str],
    assignments: Mapping[str, Sequence[Assignment]],
) -> tuple[float, str, str]:
    """The largest share of a programme's talks one topic is on, the topic and the programme
    (programmes of at least :data:`MIN_PROGRAMME` talks; placeholders not counted)."""
    best = (0.0, "", "")
    per_programme: dict[str, list[Talk]] = {}
    for talk in talks:
        if not talk.placeholder:
            per_programme.setdefault(programme_of[talk.key], []).append(talk)
    for programme, members in sorted(per_programme.items()):
        if len(members) < MIN_PROGRAMME:
            continue
        counts = Counter(
            topic for t in members for topic in set(topics_of(assignments.get(t.key, ())))
        )
        if counts:
            topic, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if n / len(members) > best[0]:
                best = (n / len(members), topic, programme)
    return best


def figures(
    talks: Sequence[Talk],
    programme_of: Mapping[str, str],
    assignments: Mapping[str, Sequence[Assignment]],
    links: Sequence[Link],
    gold: Gold,
    vocabulary: Vocabulary,
    themed: Mapping[str, Themed] | None = None,
) -> Figures:
    """The figures of one run; ``themed`` is what :func:`.themes.lift_programmes` did."""
    linked = {(link.a, link.b) for link in links}
    missed = [p for p in gold.related if p not in linked]
    false = [p for p in gold.unrelated if p in linked]
    long = [t for t in talks if not t.placeholder and words(t.abstract) >= MIN_WORDS]
    without = [t.key for t in long if not topics_of(assignments.get(t.key, ()))]
    share, top, programme = top_share(talks, programme_of, assignments)
    themed = themed or {}
    return Figures(
        talks=len(talks),
        links=len(links),
        pair_recall=1 - len(missed) / len(gold.related) if gold.related else 1.0,
        unrelated_rate=len(false) / len(gold.unrelated) if gold.unrelated else 0.0,
        density=density(len(talks), len(links)),
        with_abstract=len(long),
        without_topic=without,
        top_topic_share=share,
        top_topic=vocabulary[top].pref_label if top else "",
        top_programme=programme,
        themes=[(event, t.topic) for event, done in themed.items() for t in done.themes],
        kept=[pair for done in themed.values() for pair in done.kept],
        missed=missed,
        false_links=false,
    )
