"""Assigning topics to talks by matching vocabulary labels in titles and abstracts.

Rules, in order:

* labels and text are tokenised alike (:func:`tokenize`): case and diacritics folded, hyphens
  and other punctuation are word breaks, plurals stripped; abbreviations (two or more capitals)
  keep their case;
* a match contained in a longer match is dropped ("adversarial robustness" beats "robustness");
* a ``tg:senseOf`` term goes to the sense whose context words occur most often within
  :data:`WINDOW` words of it in the same field; no context, or a tie, assigns nothing;
* a ``tg:weak`` topic needs a title match or at least two abstract matches;
* ``tg:tooBroad`` topics are matched (so they shadow contained labels) but not assigned;
* a one-word label in its plain-English use is not the concept: a countable noun ("a
  generalization of", "generalizations of") or a verb taking an object ("generalizes the");
* at most :data:`MAX_EVIDENCE` pieces of evidence are kept per topic and field (the first);
* placeholder talks (TBA) get no topics. Broader topics are never added, except:
* a talk with an abstract of :data:`FALLBACK_WORDS` words or more that no label matched gets one
  *fallback* topic: the concept whose labels and definition share the most (IDF-weighted) words
  with the title and abstract, replaced by its broader concept (the closest broader concept that
  is not too broad), with confidence :data:`FALLBACK_CONFIDENCE` and ``needs_curation`` set so a
  curator adds the missing concept (``talkgraph topics suggest`` proposes one).

Evidence in the title or the first :data:`LEAD_SENTENCES` sentences of the abstract has
confidence 1; later in the abstract :data:`LATE_CONFIDENCE` (a topic's confidence is that of its
best evidence; the similarity of talks weighs topics by it).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import Talk
from .suggest import STOPWORDS
from .vocabulary import (
    Concept,
    Token,
    Vocabulary,
    is_acronym,
    label_key,
    label_pattern,
    stem,
    tokenize,
)

_STOP = frozenset(stem(word) for word in STOPWORDS)

WINDOW = 10  # words either side of an ambiguous term that count as its context
CONTEXT_CHARS = 30  # characters of prefix/suffix kept for an oa:TextQuoteSelector
#: Pieces of evidence (annotations) kept per topic and field of a talk: the first ones.  A
#: topic's decision uses every match; the cap keeps the dataset linear in its input (a long
#: abstract repeating a label would otherwise add ~12 triples per repetition).
MAX_EVIDENCE = 10
FIELDS = ("title", "abstract")
FALLBACK_WORDS = 40  # abstracts at least this long always get a topic
FALLBACK_CONFIDENCE = 0.5
LEAD_SENTENCES = 2  # sentences of the abstract that count like the title
LATE_CONFIDENCE = 0.9
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"\u201c])")
_ARTICLES = frozenset({"a", "an"})
_DETERMINERS = frozenset(
    {"the", "a", "an", "this", "these", "those", "our", "their", "its", "such"}
)
_VERB_ENDINGS = ("ize", "izes", "ise", "ises", "ate", "ates")
_GLOSS_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "with",
        "which",
        "such",
        "each",
        "other",
        "than",
        "these",
        "those",
        "via",
        "using",
        "based",
        "method",
        "methods",
        "model",
        "models",
        "problem",
        "problems",
        "data",
        "learning",
        "theory",
        "analysis",
        "approach",
        "new",
    ]
)


@dataclass(frozen=True)
class Assignment:
    """One piece of evidence that a talk is about a topic."""

    topic: str  # concept slug
    field: str  # "title" | "abstract"
    exact: str  # the matched text as it appears in the field
    start: int  # character offsets in the field
    end: int
    prefix: str
    suffix: str
    confidence: float = 1.0  # below 1 late in the abstract, or for a fallback topic
    needs_curation: bool = False  # a fallback topic: no concept of the vocabulary fitted
    #: evidence of a theme of the talk's programme (see :mod:`.themes`): it counts in the
    #: similarity of talks, but the concept is not one of the talk's topics
    theme: bool = False


@dataclass(frozen=True)
class _Entry:
    """A label (one topic) or an ambiguous term (several candidate senses)."""

    topics: tuple[str, ...]
    pattern: tuple[str | None, ...]
    ambiguous: bool

    def accepts(self, tokens: Sequence[Token]) -> bool:
        pairs = zip(self.pattern, tokens, strict=True)
        return all(want is None or want == tok.exact for want, tok in pairs)


@dataclass(frozen=True)
class _Match:
    start: int  # token indices
    end: int
    entry: _Entry


class Matcher:
    """A vocabulary compiled for phrase matching."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.index: dict[tuple[str, ...], list[_Entry]] = defaultdict(list)
        senses: dict[tuple[str, ...], tuple[list[str], tuple[str | None, ...]]] = {}
        for concept in vocabulary.concepts.values():
            for label in dict.fromkeys(concept.labels):
                entry = _Entry((concept.slug,), label_pattern(label), False)
                if entry not in self.index[label_key(label)]:
                    self.index[label_key(label)].append(entry)
            for term in concept.senses:
                topics, pattern = senses.setdefault(label_key(term), ([], label_pattern(term)))
                topics.append(concept.slug)
        for key, (topics, pattern) in senses.items():
            self.index[key].append(_Entry(tuple(sorted(topics)), pattern, True))
        self.longest = max(len(key) for key in self.index)
        self.firsts = {key[0] for key in self.index if key}  # a match starts with one of these
        self.context = {
            slug: [label_key(word) for word in concept.sense_context]
            for slug, concept in vocabulary.concepts.items()
            if concept.senses
        }
        self.gloss = {slug: _gloss(concept) for slug, concept in vocabulary.concepts.items()}
        spread = Counter(word for words in self.gloss.values() for word in words)
        n = len(self.gloss)
        self.gloss_idf = {word: math.log(n / k) for word, k in spread.items()}

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> Matcher:
        """The matcher of ``vocabulary``, compiled once and kept with it."""
        found = vocabulary.compiled.get("matcher")
        if not isinstance(found, Matcher) or found.vocabulary is not vocabulary:
            found = vocabulary.compiled["matcher"] = cls(vocabulary)
        return found

    # -------------------------------------------------------------- one field

    def _candidates(self, tokens: Sequence[Token]) -> list[_Match]:
        found: list[_Match] = []
        keys = [t.key for t in tokens]
        for i in range(len(keys)):
            if keys[i] not in self.firsts:
                continue  # no label starts here
            for length in range(min(self.longest, len(keys) - i), 0, -1):
                entries = self.index.get(tuple(keys[i : i + length]))
                if entries:
                    window = tokens[i : i + length]
                    for entry in entries:
                        if entry.accepts(window):
                            found.append(_Match(i, i + length, entry))
        return found

    def _longest(self, matches: list[_Match]) -> list[_Match]:
        """Drop every match inside a longer (or an earlier equal) one.

        Linear in the number of matches: a match is at most :attr:`longest` tokens long, so
        only kept matches starting at most that far before it can contain it.
        """
        kept: list[_Match] = []
        reach: dict[int, int] = {}  # start token -> furthest end of a kept match starting there
        for m in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
            first = max(0, m.end - self.longest)
            if not any(reach.get(s, -1) >= m.end for s in range(first, m.start + 1)):
                kept.append(m)
                reach[m.start] = max(reach.get(m.start, -1), m.end)
        return sorted(kept, key=lambda m: (m.start, m.end))

    def _hits(self, slug: str, keys: Sequence[str]) -> int:
        count = 0
        for phrase in self.context[slug]:
            n = len(phrase)
            count += sum(1 for i in range(len(keys) - n + 1) if tuple(keys[i : i + n]) == phrase)
        return count

    def _sense(self, match: _Match, tokens: Sequence[Token]) -> str | None:
        """The sense of an ambiguous term chosen by nearby context words, if one wins."""
        before = [t.key for t in tokens[max(0, match.start - WINDOW) : match.start]]
        after = [t.key for t in tokens[match.end : match.end + WINDOW]]
        scores = sorted(
            ((self._hits(s, before) + self._hits(s, after), s) for s in match.entry.topics),
            reverse=True,
        )
        if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
            return None
        return scores[0][1]

    def field_matches(self, text: str) -> list[tuple[str, int, int]]:
        """(topic slug, start, end) for every resolved match in ``text``."""
        tokens = tokenize(text)
        out: list[tuple[str, int, int]] = []
        for match in self._longest(self._candidates(tokens)):
            if _plain_noun_use(match, tokens):
                continue
            topic = self._sense(match, tokens) if match.entry.ambiguous else match.entry.topics[0]
            if topic is not None:
                out.append((topic, tokens[match.start].start, tokens[match.end - 1].end))
        return out

    # -------------------------------------------------------------- one talk

    def talk(
        self, talk: Talk, include_too_broad: bool = False, *, include_weak: bool = False
    ) -> list[Assignment]:
        """The talk's topic evidence; ``include_weak`` keeps ``tg:weak`` topics whatever their
        evidence (for :mod:`.themes`, which looks below the threshold for a specific concept)."""
        if talk.placeholder:
            return []
        evidence: dict[str, list[Assignment]] = defaultdict(list)
        for name, text in zip(FIELDS, (talk.title, talk.abstract or ""), strict=True):
            lead = _lead_end(text) if name == "abstract" else len(text)
            for topic, start, end in self.field_matches(text):
                evidence[topic].append(
                    Assignment(
                        topic=topic,
                        field=name,
                        exact=text[start:end],
                        start=start,
                        end=end,
                        prefix=text[max(0, start - CONTEXT_CHARS) : start],
                        suffix=text[end : end + CONTEXT_CHARS],
                        confidence=1.0 if start < lead else LATE_CONFIDENCE,
                    )
                )
        out: list[Assignment] = []
        for topic, found in evidence.items():
            concept = self.vocabulary[topic]
            if concept.too_broad and not include_too_broad:
                continue
            if concept.weak and not include_weak and not _strong(found):
                continue
            per_field: dict[str, int] = defaultdict(int)
            for item in found:
                per_field[item.field] += 1
                if per_field[item.field] <= MAX_EVIDENCE:
                    out.append(item)
        if not out and len((talk.abstract or "").split()) >= FALLBACK_WORDS:
            fallback = self.fallback(talk)
            if fallback is not None:
                out.append(fallback)
        return sorted(out, key=lambda a: (FIELDS.index(a.field), a.start, a.topic))

    # -------------------------------------------------------------- fallback

    def closest(self, text: str) -> list[tuple[float, str, str]]:
        """(score, concept, best shared word) by IDF-weighted overlap of the words of ``text``
        with each concept's labels and definition, best first."""
        words = Counter(t.key for t in tokenize(text) if _content(t.key))
        scored: list[tuple[float, str, str]] = []
        for slug, gloss in self.gloss.items():
            shared = [(self.gloss_idf[w] * math.log1p(words[w]), w) for w in gloss if w in words]
            if shared:
                scored.append((sum(v for v, _ in shared), slug, max(shared)[1]))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored

    def _usable(self, slug: str) -> str | None:
        """The concept itself or its closest broader concept that is not too broad."""
        todo, seen = [slug], set()
        while todo:
            current = todo.pop(0)
            concept = self.vocabulary[current]
            if not concept.too_broad:
                return current
            seen.add(current)
            todo.extend(p for p in concept.broader if p not in seen)
        return None

    def fallback(self, talk: Talk) -> Assignment | None:
        """The closest broader concept for a talk no label matched (see module doc)."""
        text = f"{talk.title}\n{talk.title}\n{talk.abstract or ''}"  # the title counts twice
        for _, slug, word in self.closest(text):
            concept = self.vocabulary[slug]
            parents = [p for p in concept.broader if self._usable(p)]
            target = self._usable(parents[0]) if parents else self._usable(slug)
            if target is None:
                continue
            found = self.quote(talk, word)
            if found is not None:
                return dataclasses.replace(
                    found,
                    topic=target,
                    confidence=FALLBACK_CONFIDENCE,
                    needs_curation=True,
                )
        return None

    def quote(self, talk: Talk, word: str) -> Assignment | None:
        """Evidence quoting the first word of the title, else the abstract, whose key is
        ``word`` (its topic left empty for the caller to set)."""
        for name, field_text in zip(FIELDS, (talk.title, talk.abstract or ""), strict=True):
            for token in tokenize(field_text):
                if token.key == word:
                    start, end = token.start, token.end
                    return Assignment(
                        topic="",
                        field=name,
                        exact=field_text[start:end],
                        start=start,
                        end=end,
                        prefix=field_text[max(0, start - CONTEXT_CHARS) : start],
                        suffix=field_text[end : end + CONTEXT_CHARS],
                    )
        return None


def _content(key: str) -> bool:
    return len(key) > 2 and key not in _GLOSS_STOP and key not in _STOP and not key.isdigit()


def _gloss(concept: Concept) -> frozenset[str]:
    """The content words of a concept's labels and definition."""
    text = " ".join((*concept.labels, concept.definition or ""))
    return frozenset(t.key for t in tokenize(text) if _content(t.key))


def _lead_end(text: str) -> int:
    """Where the first :data:`LEAD_SENTENCES` sentences of ``text`` end."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    return ends[LEAD_SENTENCES - 1] if len(ends) >= LEAD_SENTENCES else len(text)


def _plain_noun_use(match: _Match, tokens: Sequence[Token]) -> bool:
    """A one-word (non-acronym) label in its plain-English use: a countable noun ("a
    generalization of", "generalizations of") or a verb with an object ("generalizes the")."""
    if match.end - match.start != 1 or match.end >= len(tokens):
        return False
    word = tokens[match.start]
    if is_acronym(word.exact):
        return False
    after = tokens[match.end].key
    surface = word.exact.casefold()
    if after == "of":
        article = match.start > 0 and tokens[match.start - 1].key in _ARTICLES
        return article or (surface.endswith("s") and not surface.endswith("ss"))
    return after in _DETERMINERS and surface.endswith(_VERB_ENDINGS)


def _strong(found: list[Assignment]) -> bool:
    """Enough evidence for a weak topic: in the title, or twice in the abstract."""
    return any(a.field == "title" for a in found) or len(found) >= 2


def assign(
    talks: Iterable[Talk], vocabulary: Vocabulary, *, include_too_broad: bool = False
) -> dict[str, list[Assignment]]:
    """Topic evidence for every talk, keyed by talk key (placeholder talks get none)."""
    matcher = Matcher.of(vocabulary)
    return {talk.key: matcher.talk(talk, include_too_broad) for talk in talks}


def topics_of(assignments: Iterable[Assignment]) -> list[str]:
    """The distinct topic slugs of a talk's evidence, in order of first mention (not the themes
    of its programme: their evidence is the theme's, see :mod:`.themes`)."""
    return list(dict.fromkeys(a.topic for a in assignments if not a.theme))
