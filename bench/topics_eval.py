"""Topics and co-topic links measured against hand-written gold pairs.

    .venv/bin/python bench/topics_eval.py [DIR] [--sweep] [--verbose]

``DIR`` (default ``tests/data/topics_gold``) holds ``programmes/`` in the structured format and
``pairs.yaml``. Prints pair recall, unrelated-pair rate, graph density, talks without topic and
the most frequent topic's share of a programme, for the default ``--min-weight``/top-k of the talk
graph (``--sweep`` tries others).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from talkgraph.ingest import load_programme
from talkgraph.registry import Registry
from talkgraph.resolve import resolve
from talkgraph.topics import assign, load_vocabulary
from talkgraph.topics.evaluate import MIN_WORDS, figures, load_gold
from talkgraph.topics.links import talk_similarity
from talkgraph.topics.similarity import MIN_WEIGHT, TOP_K, Similarity

ROOT = Path(__file__).resolve().parents[1]


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
    args = parser.parse_args()
    files = sorted((args.dir / "programmes").glob("*.yaml"))
    programmes = [load_programme(p) for p in files]
    model = resolve(programmes, Registry.load(None))
    talks = list(model.talks.values())
    programme_of = {}
    for programme, event in zip(programmes, model.events, strict=True):
        for talk in model.talks.values():
            if talk.key in event.talks:
                programme_of[talk.key] = programme.source
    vocabulary = load_vocabulary(args.vocabulary)
    assignments = assign(talks, vocabulary)
    gold = load_gold(args.dir / "pairs.yaml", list(model.talks))
    similarity: Similarity = talk_similarity(assignments, vocabulary)
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
        f = figures(talks, programme_of, assignments, similarity.links(w, k), gold, vocabulary)
        print(
            f"{w:10.2f}  {k!s:>5}  {f.links:5d}  {f.density:7.3f}  {f.pair_recall:11.1%}  "
            f"{f.unrelated_rate:16.1%}"
        )
        if (w, k) == (MIN_WEIGHT, TOP_K):
            chosen = f
    if chosen is None:
        chosen = figures(talks, programme_of, assignments, similarity.links(), gold, vocabulary)
    print(
        f"talks with an abstract of >= {MIN_WORDS} words: {chosen.with_abstract}; "
        f"without topic: {len(chosen.without_topic)}"
    )
    print(
        f"most frequent topic's share of a programme: {chosen.top_topic_share:.1%} "
        f"({chosen.top_topic})"
    )
    fallbacks = sum(1 for found in assignments.values() for a in found if a.needs_curation)
    print(f"talks with only a fallback topic (flagged for curation): {fallbacks}")
    if args.verbose:
        for talk in talks:
            topics = sorted({a.topic for a in assignments.get(talk.key, ())})
            print(f"  {talk.key[:60]:60s} {', '.join(topics)}")
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
