"""Synthetic programmes for benchmarks: ``python bench/generate.py --triples N --seed S --out DIR``.

Every programme is a structured YAML file (docs/structured-format.md) of one synthetic event.
The shapes follow real programmes: speakers recur across events with Zipf-like frequency,
institutions are the registry's forms (canonical and variant spellings) plus unknown ones,
abstracts mix labels of the real topic vocabulary with filler sentences, "joint work with
A and B" co-author sentences and arXiv ids, and a few talks are TBA placeholders.  Co-authors,
arXiv ids and placeholders are left for ingest to extract, as in hand-written files.

All names, institutions, titles, arXiv ids and events are synthetic (made of syllables and
templates); the output is identical for the same seed and size.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from talkgraph.ingest import load_programme, to_structured
from talkgraph.iris import Minter
from talkgraph.model import EventInfo, Mention, Programme, SpeakerEntry, TalkEntry
from talkgraph.registry import Registry
from talkgraph.topics import load_vocabulary, vocabulary_graph

SCALES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
TALKS_PER_PROGRAMME = (12, 40)
PLACEHOLDER_RATE = 0.03
UNKNOWN_INSTITUTION_RATE = 0.3
ZIPF_EXPONENT = 1.1
CALIBRATION_TALKS = 120

_ONSETS = ("b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou")
_CODAS = ("", "", "n", "r", "l", "s", "m")
_FIELDS = ("Learning Systems", "Data Science", "Applied Mathematics", "Computing", "Statistics")
_INSTITUTION_FORMS = (
    "University of {place}",
    "{place} Institute of {field}",
    "{place} {field} Lab",
    "{place} Research",
    "{place} College",
)
_TITLE_FORMS = (
    "{a} for {b}",
    "On {a}",
    "Towards {a} with {b}",
    "{A}: A {word} View",
    "When Does {a} Meet {b}?",
    "{A} and {b} at Scale",
    "Revisiting {a}",
)
_SENTENCES = (
    "We study {a} and its connection to {b}.",
    "This talk surveys recent progress on {a}, with an emphasis on {b}.",
    "Our results show that {a} can improve {b} in practice.",
    "We revisit {a} from the point of view of {b}.",
    "A central question is how {a} interacts with {b}.",
    "We give new guarantees for {a}.",
)
_FILLER = (
    "The analysis is supported by extensive experiments.",
    "We close with several open problems.",
    "The approach is simple to implement and comes with a short proof.",
    "Along the way we explain why earlier attempts fell short.",
    "Several surprising phenomena appear in the regime we consider.",
)
_WORDS = ("Geometric", "Statistical", "Unified", "Practical", "Dynamical", "Spectral")


def _syllables(rng: random.Random, count: int) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(count)]
    return "".join(parts).capitalize()


@dataclass(frozen=True)
class Speaker:
    name: str
    forms: tuple[str, ...]  # how programmes write the speaker's institution


class Corpus:
    """The shared pools programmes draw from: people, institutions, topic labels."""

    def __init__(self, rng: random.Random, people: int) -> None:
        self.rng = rng
        vocabulary = load_vocabulary()
        concepts = [
            c for c in vocabulary.concepts.values() if not (c.too_broad or c.weak or c.senses)
        ]
        self.labels = sorted({label for c in concepts for label in c.labels})
        registry = Registry.load()
        self.registry_forms = [entry.forms for entry in registry.entries]
        self.speakers = self._people(people)
        self.weights = list(
            itertools.accumulate(1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(people))
        )
        self.arxiv = itertools.count(1)

    def _people(self, count: int) -> list[Speaker]:
        seen: set[str] = set()
        speakers: list[Speaker] = []
        while len(speakers) < count:
            name = f"{_syllables(self.rng, 2)} {_syllables(self.rng, self.rng.randint(2, 3))}"
            if name in seen:
                continue
            seen.add(name)
            speakers.append(Speaker(name, self._institution()))
        return speakers

    def _institution(self) -> tuple[str, ...]:
        if self.rng.random() < UNKNOWN_INSTITUTION_RATE:
            form = self.rng.choice(_INSTITUTION_FORMS)
            place = _syllables(self.rng, self.rng.randint(2, 3))
            return (form.format(place=place, field=self.rng.choice(_FIELDS)),)
        return self.rng.choice(self.registry_forms)

    def speaker(self) -> Speaker:
        return self.rng.choices(self.speakers, cum_weights=self.weights)[0]

    def label(self) -> str:
        return self.rng.choice(self.labels)

    def arxiv_id(self) -> str:
        n = next(self.arxiv)
        month = self.rng.randint(1, 12)
        return f"{15 + n % 10:02d}{month:02d}.{10000 + (n * 7919) % 90000:05d}"


def _title(corpus: Corpus) -> str:
    rng = corpus.rng
    a, b = corpus.label(), corpus.label()
    form = rng.choice(_TITLE_FORMS)
    return form.format(a=a, b=b, A=a[:1].upper() + a[1:], word=rng.choice(_WORDS))


def _abstract(corpus: Corpus) -> str:
    rng = corpus.rng
    sentences = []
    fillers = rng.sample(_FILLER, len(_FILLER))
    for _ in range(rng.randint(3, 7)):
        if rng.random() < 0.6 or not fillers:
            sentences.append(rng.choice(_SENTENCES).format(a=corpus.label(), b=corpus.label()))
        else:
            sentences.append(fillers.pop())
    if rng.random() < 0.35:
        names = [corpus.speaker().name for _ in range(rng.randint(1, 3))]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        sentences.append(f"This is joint work with {joined}.")
    if rng.random() < 0.25:
        sentences.append(f"The results appear in arXiv:{corpus.arxiv_id()}.")
    half = len(sentences) // 2
    paragraphs = [" ".join(sentences[:half]), " ".join(sentences[half:])]
    return "\n\n".join(p for p in paragraphs if p)


def _institution(corpus: Corpus, speaker: Speaker) -> str:
    if len(speaker.forms) > 1 and corpus.rng.random() < 0.2:
        return corpus.rng.choice(speaker.forms)
    return speaker.forms[0]


def programme(corpus: Corpus, number: int) -> Programme:
    """One synthetic programme (event ``number``)."""
    rng = corpus.rng
    talks = []
    for _ in range(rng.randint(*TALKS_PER_PROGRAMME)):
        speaker = corpus.speaker()
        entry = SpeakerEntry(Mention(speaker.name), Mention(_institution(corpus, speaker)))
        if rng.random() < PLACEHOLDER_RATE:
            talks.append(TalkEntry(entry, Mention("TBA"), Mention("TBA")))
        else:
            talks.append(TalkEntry(entry, Mention(_title(corpus)), Mention(_abstract(corpus))))
    roster = list(dict.fromkeys(t.speaker for t in talks))
    roster += [
        SpeakerEntry(Mention(s.name), Mention(s.forms[0]))
        for s in (corpus.speaker() for _ in range(rng.randint(0, 3)))
    ]
    roster = list(dict.fromkeys(roster))
    info = EventInfo(
        name=f"Synthetic Workshop {number}",
        identifier=f"synthetic-workshop-{number}",
        description="A synthetic programme generated for benchmarks.",
    )
    return Programme(f"programme-{number:05d}.yaml", tuple(roster), tuple(talks), info)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, like talkgraph's own writer."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dumps(prog: Programme) -> str:
    """The programme as structured YAML, leaving co-authors, arXiv ids and placeholders to
    be extracted at ingest (as in a hand-written file)."""
    data = to_structured(prog)
    for talk in data["talks"]:
        for key in ("placeholder", "coauthors", "arxiv"):
            talk.pop(key, None)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def triples_per_talk(seed: int, directory: Path) -> tuple[float, int]:
    """(triples per talk, fixed triples of the topic scheme), measured on a small sample."""
    from talkgraph.rdf import to_graph
    from talkgraph.resolve import resolve
    from talkgraph.topics import assign, assignments_graph

    corpus = Corpus(random.Random(f"calibrate-{seed}"), CALIBRATION_TALKS // 2)
    paths, talks, number = [], 0, 0
    while talks < CALIBRATION_TALKS:
        number += 1
        prog = programme(corpus, number)
        path = directory / prog.source
        path.write_text(dumps(prog), encoding="utf-8")
        paths.append(path)
        talks += len(prog.talks)
    minter = Minter()
    model = resolve([load_programme(p) for p in paths], Registry.load())
    vocabulary = load_vocabulary()
    fixed = len(vocabulary_graph(vocabulary, minter))
    # the triples a build maps per talk: entities, the topic scheme and topic assignments
    graph = to_graph(model, minter) + vocabulary_graph(vocabulary, minter)
    graph += assignments_graph(
        assign(model.talks.values(), vocabulary), list(model.talks.values()), minter
    )
    return (len(graph) - fixed) / talks, fixed


def generate(triples: int, seed: int, out: Path, *, quiet: bool = True) -> list[Path]:
    """Write enough programmes into ``out`` for about ``triples`` triples; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    calibration = out / ".calibration"
    calibration.mkdir(exist_ok=True)
    per_talk, fixed = triples_per_talk(seed, calibration)
    for path in calibration.iterdir():
        path.unlink()
    calibration.rmdir()
    talks = max(1, math.ceil((triples - fixed) / per_talk))
    corpus = Corpus(random.Random(seed), max(20, talks // 4))
    paths: list[Path] = []
    written = 0
    while written < talks:
        prog = programme(corpus, len(paths) + 1)
        path = out / prog.source
        path.write_text(dumps(prog), encoding="utf-8")
        paths.append(path)
        written += len(prog.talks)
    count = len(paths)
    if not quiet:
        print(
            f"{count} programmes (~{talks} talks at {per_talk:.0f} triples/talk "
            f"+ {fixed} vocabulary triples) in {out}",
            file=sys.stderr,
        )
    return paths


def parse_triples(text: str) -> int:
    """``10000``, ``10k``, ``1M`` → a number of triples."""
    if text in SCALES:
        return SCALES[text]
    factor = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=parse_triples, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    generate(args.triples, args.seed, args.out, quiet=False)
    print(f"generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
