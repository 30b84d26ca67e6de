"""Themes of a programme: a concept on a large share of one programme's talks describes the
programme, not the talk.

Topic assignment (:mod:`.matcher`) looks at one talk at a time, so a workshop on graph signal
processing tags most of its talks "graph signal processing": true of each talk, but it tells the
talks of that workshop apart no better than the workshop's name, and in the graph of topics it
ties every concept of the workshop to that one.  So, per programme (one event), after topic
assignment:

* a concept on at least :data:`MIN_TALKS` of the programme's talks **and** on more than
  :data:`SHARE` of them (placeholder talks not counted) is a *theme* of the event: the event is
  ``schema:about`` it, with an annotation derived from the talks' evidence (see
  :func:`.annotate.themes_graph`).  Two talks sharing a concept are a pair a reader wants to see
  side by side, not a theme, so a programme needs three talks on a concept for it to be one;
* the theme is no longer one of the topics of the talks that named it (no ``schema:about`` from
  the talk); their evidence, the quoted words, stays as the theme's evidence (``theme`` set), and
  still counts in the similarity of talks: the talk's words say it is about the concept, and
  talks of one workshop on graph signal processing are related through it (measured on the gold
  pairs: taking the theme out of the similarity loses related pairs, see README);
* every talk with topics keeps at least one topic of its own.  A talk whose topics were all
  themes gets its next best, *more specific* concepts — concepts narrower than one of its
  themes (``skos:broader``, transitively):

  1. those its title or abstract names below the matcher's threshold (a ``tg:weak`` concept
     mentioned once), with confidence at most :data:`.matcher.FALLBACK_CONFIDENCE`;
  2. else the narrower concept whose labels and definition share the most (IDF-weighted) words
     with the talk, not counting the theme's own words (at least :data:`MIN_WORDS` distinct
     words: one common word is no evidence), with confidence
     :data:`.matcher.FALLBACK_CONFIDENCE` and flagged for curation;
  3. else the talk keeps the theme as its topic, flagged for curation (``tg:needsCuration``):
     the vocabulary has no concept specific enough for this talk (``talkgraph topics suggest``
     proposes one).  Its confidence is that of its evidence, which is as strong as before.
     Such talks are listed in :attr:`Themed.kept`.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..model import Talk
from .matcher import FALLBACK_CONFIDENCE, FIELDS, Assignment, Matcher
from .vocabulary import Vocabulary, tokenize

#: A concept on more than this share of a programme's talks describes the programme ...
SHARE = 1 / 3
#: ... when it is on at least this many talks (two talks sharing a concept are a pair, not a theme).
MIN_TALKS = 3
#: Distinct words (not the theme's own) a narrower concept must share with a talk to replace it.
MIN_WORDS = 2


@dataclass(frozen=True)
class Theme:
    """A concept on a large share of one programme's talks."""

    topic: str  # concept slug
    talks: tuple[str, ...]  # the keys of the programme's talks that named it, in programme order
    programme_talks: int  # the programme's talks (placeholders not counted)

    @property
    def share(self) -> float:
        return len(self.talks) / self.programme_talks


@dataclass
class Themed:
    """A programme's topics once its themes are lifted to the event."""

    #: each talk's evidence: its own topics, and its programme's themes (``theme`` set)
    assignments: dict[str, list[Assignment]]
    themes: list[Theme]
    #: talks whose only topic stays one of the programme's themes (keys, with the theme)
    kept: list[tuple[str, str]] = field(default_factory=list)
    #: talks given a more specific concept below a theme instead (keys, with the new topic)
    replaced: list[tuple[str, str]] = field(default_factory=list)


def find_themes(
    talks: Sequence[Talk], assignments: Mapping[str, Sequence[Assignment]]
) -> list[str]:
    """The concepts on at least :data:`MIN_TALKS` and more than :data:`SHARE` of ``talks``."""
    real = [t for t in talks if not t.placeholder]
    counts = Counter(topic for t in real for topic in {a.topic for a in assignments.get(t.key, ())})
    return sorted(topic for topic, n in counts.items() if n >= MIN_TALKS and n > SHARE * len(real))


def lift_themes(
    talks: Sequence[Talk],
    assignments: Mapping[str, Sequence[Assignment]],
    vocabulary: Vocabulary,
) -> Themed:
    """Lift the themes of one programme (``talks``, in programme order) to its event."""
    slugs = find_themes(talks, assignments)
    out = {key: list(found) for key, found in assignments.items()}
    themed = Themed(out, [])
    if not slugs:
        return themed
    real = [t for t in talks if not t.placeholder]
    for slug in slugs:
        having = tuple(t.key for t in real if any(a.topic == slug for a in out.get(t.key, ())))
        themed.themes.append(Theme(slug, having, len(real)))
    lifted = set(slugs)
    for talk in real:
        found = out.get(talk.key, [])
        own = [a for a in found if a.topic not in lifted]
        theirs = [dataclasses.replace(a, theme=True) for a in found if a.topic in lifted]
        if own or not found:
            out[talk.key] = own + theirs
        elif better := _narrower(talk, sorted({a.topic for a in found}), vocabulary):
            out[talk.key] = better + theirs
            themed.replaced.extend((talk.key, t) for t in dict.fromkeys(a.topic for a in better))
        else:
            out[talk.key] = [dataclasses.replace(a, needs_curation=True) for a in found]
            themed.kept.extend((talk.key, t) for t in sorted({a.topic for a in found}))
        out[talk.key].sort(key=lambda a: (FIELDS.index(a.field), a.start, a.topic))
    return themed


def lift_programmes(
    programmes: Mapping[str, Sequence[Talk]],
    assignments: Mapping[str, Sequence[Assignment]],
    vocabulary: Vocabulary,
) -> dict[str, Themed]:
    """:func:`lift_themes` for each programme (event key -> its talks in programme order)."""
    return {
        event: lift_themes(talks, {t.key: assignments.get(t.key, ()) for t in talks}, vocabulary)
        for event, talks in programmes.items()
    }


def _below(vocabulary: Vocabulary, themes: Sequence[str]) -> set[str]:
    """The concepts narrower than one of ``themes`` (transitively) that may be assigned."""
    wanted = set(themes)
    return {
        slug
        for slug, concept in vocabulary.concepts.items()
        if not concept.too_broad and slug not in wanted and vocabulary.ancestors(slug) & wanted
    }


def _narrower(talk: Talk, themes: Sequence[str], vocabulary: Vocabulary) -> list[Assignment]:
    """The talk's own concepts below its themes (see the module doc, steps 1 and 2)."""
    below = _below(vocabulary, themes)
    if not below:
        return []
    matcher = Matcher.of(vocabulary)
    weak = [a for a in matcher.talk(talk, include_weak=True) if a.topic in below]
    if weak:
        return [
            dataclasses.replace(a, confidence=min(a.confidence, FALLBACK_CONFIDENCE)) for a in weak
        ]
    theme_words = set().union(*(matcher.gloss[t] for t in themes))
    text = f"{talk.title}\n{talk.title}\n{talk.abstract or ''}"  # the title counts twice
    counts = Counter(t.key for t in tokenize(text))
    scored = []
    for slug in below:
        shared = [
            (matcher.gloss_idf[w] * math.log1p(counts[w]), w)
            for w in matcher.gloss[slug] - theme_words
            if counts[w]
        ]
        if len({w for _, w in shared}) >= MIN_WORDS:
            scored.append((-sum(v for v, _ in shared), slug, max(shared)[1]))
    for _, slug, word in sorted(scored):
        quote = matcher.quote(talk, word)
        if quote is not None:
            return [
                dataclasses.replace(
                    quote, topic=slug, confidence=FALLBACK_CONFIDENCE, needs_curation=True
                )
            ]
    return []
