"""Topics and co-topic links measured against hand-written gold pairs.

    .venv/bin/python bench/topics_eval.py [DIR] [--sweep] [--verbose]

``DIR`` (default ``tests/data/topics_gold``) holds ``programmes/`` in the structured format and
``pairs.yaml``. Topics are assigned as a build does: per programme, with its themes lifted to the
event (``talkgraph.topics.themes``). Prints pair recall, unrelated-pair rate, graph density,
talks without topic, the most frequent topic's share of a programme (max over programmes of four
talks or more) before and after the themes are lifted, and the themes; for the default
``--min-weight``/top-k of the talk graph (``--sweep`` tries others). ``--themes-out`` measures
the similarity with the themes' evidence left out of it (themes count in it by default).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from talkgraph.ingest import load_programme
from talkgraph.registry import Registry
from talkgraph.resolve import resolve
from talkgraph.topics import Vocabulary, assign, load_vocabulary, topics_of
from talkgraph.topics.evaluate import MIN_PROGRAMME, MIN_WORDS, figures, load_gold, top_share
from talkgraph.topics.links import talk_similarity
from talkgraph.topics.similarity import MIN_WEIGHT, TOP_K, Similarity
from talkgraph.topics.themes import lift_programmes

ROOT = Path(__file__).resolve().parents[1]


def label(vocabulary: Vocabulary, slug: str) -> str:
    return vocabulary[slug].pref_label if slug else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "dir", nargs="?", type=Path, default=ROOT / "tests" / "data" / "topics_gold"
    )
    parser.add_argument("--sweep", action="store_true", help="try other thresholds and top-k")
    parser.add_argument("--verbose", action="store_true", help="list topics, misses, false links")
    parser.add_argument(
        "--vocabulary", type=Path, help="another topics.ttl (default: the packaged one)"
    )
    parser.add_argument(
        "--themes-out", action="store_true", help="leave the themes out of the similarity"
    )
    args = parser.parse_args()
    files = sorted((args.dir / "programmes").glob("*.yaml"))
    programmes = [load_programme(p) for p in files]
    model = resolve(programmes, Registry.load(None))
    talks = list(model.talks.values())
    programme_of = {key: event.key for event in model.events for key in event.talks}
    vocabulary = load_vocabulary(args.vocabulary)
    raw = assign(talks, vocabulary)
    themed = lift_programmes(
        {event.key: [model.talks[k] for k in event.talks] for event in model.events},
        raw,
        vocabulary,
    )
    assignments = {k: v for done in themed.values() for k, v in done.assignments.items()}
    measured = assignments
    if args.themes_out:
        measured = {k: [a for a in v if not a.theme] for k, v in assignments.items()}
    gold = load_gold(args.dir / "pairs.yaml", list(model.talks))
    similarity: Similarity = talk_similarity(measured, vocabulary)
    settings = [(MIN_WEIGHT, TOP_K)]
    if args.sweep:
        settings = [(w, k) for w in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4) for k in (3, 5, 8, None)]
    print(
        f"{len(files)} programmes, {len(talks)} talks, {len(gold.related)} related and "
        f"{len(gold.unrelated)} unrelated gold pairs"
    )
    print("min_weight  top_k  links  density  pair_recall  unrelated_linked")
    chosen = None
    for w, k in settings:
        links = similarity.links(w, k)
        f = figures(talks, programme_of, assignments, links, gold, vocabulary, themed)
        print(
            f"{w:10.2f}  {k!s:>5}  {f.links:5d}  {f.density:7.3f}  {f.pair_recall:11.1%}  "
            f"{f.unrelated_rate:16.1%}"
        )
        if (w, k) == (MIN_WEIGHT, TOP_K):
            chosen = f
    if chosen is None:
        links = similarity.links()
        chosen = figures(talks, programme_of, assignments, links, gold, vocabulary, themed)
    print(
        f"talks with an abstract of >= {MIN_WORDS} words: {chosen.with_abstract}; "
        f"without topic: {len(chosen.without_topic)}"
    )
    before = top_share(talks, programme_of, raw)
    print(
        f"most frequent topic's share of a programme (max over programmes of >= {MIN_PROGRAMME} "
        f"talks): before themes {before[0]:.1%} ({label(vocabulary, before[1])}, {before[2]}); "
        f"talk topics {chosen.top_topic_share:.1%} ({chosen.top_topic}, {chosen.top_programme})"
    )
    print(
        f"themes lifted to their events: {len(chosen.themes)}"
        + "".join(f"; {event}: {label(vocabulary, topic)}" for event, topic in chosen.themes)
    )
    replaced = [pair for done in themed.values() for pair in done.replaced]
    print(
        f"talks given a narrower concept instead of a theme: {len(replaced)}; talks keeping a "
        f"theme as their only topic (flagged for curation): {len(chosen.kept)}"
    )
    print(f"themes in the similarity: {'no (--themes-out)' if args.themes_out else 'yes'}")
    fallbacks = sum(1 for found in raw.values() if any(a.needs_curation for a in found))
    print(f"talks with only a fallback topic (flagged for curation): {fallbacks}")
    if args.verbose:
        for talk in talks:
            found = assignments.get(talk.key, ())
            topics = sorted(set(topics_of(found)))
            themes = sorted({a.topic for a in found if a.theme})
            extra = f"  [theme: {', '.join(themes)}]" if themes else ""
            print(f"  {talk.key[:60]:60s} {', '.join(topics)}{extra}")
        for a, b in chosen.missed:
            link = similarity.link(a, b)
            print(f"  missed: {a[:40]} ~ {b[:40]} ({link.weight}: {', '.join(link.concepts)})")
        for a, b in chosen.false_links:
            link = similarity.link(a, b)
            print(f"  false:  {a[:40]} ~ {b[:40]} ({link.weight}: {', '.join(link.concepts)})")
        for key in chosen.without_topic:
            print(f"  no topic: {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
