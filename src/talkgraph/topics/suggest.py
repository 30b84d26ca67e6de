"""Candidate new topics for a curator: frequent keyphrases that no vocabulary label covers.

Candidates are n-grams of two or three content words (or one abbreviation) outside every label
occurrence, ranked by the number of talks they occur in; YAKE (the optional ``keyphrases``
extra), when installed, grades candidates within that and adds its own keyphrases.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..iris import fold
from ..model import Talk
from .vocabulary import Vocabulary, is_acronym, label_key, singular, tokenize

if TYPE_CHECKING:  # the matcher imports this module
    from .matcher import Assignment

MAX_WORDS = 3

_STOP_TEXT = """
    a about above across after again against all almost also although always am among an and
    another any are around as at be because been before being below between beyond both but by
    can cannot could did do does doing done down during each either else even ever every few for
    from further get gets given had has have having he her here hers him his how however i if in
    into is it its itself just least less like made make makes many may me might more most much
    must my namely near neither never new next no nor not now of off often on once one only onto or
    other others our ours out over own per perhaps rather really same several shall she should show
    shows shown since so some such than that the their theirs them then there therefore these they
    this those though three through thus to together too toward towards two under until up upon us
    use used uses using very via was we well were what when where whether which while who whom
    whose why will with within without would yet you your talk work works present discuss
    describe first second finally furthermore moreover specifically particular recent recently
    show demonstrate provide propose based approach approaches result results question questions
    paper group way ways part lecture joint e g i e et al trained different improve including
    leads practice simple art called existing explain explains input inputs phenomenon
    important interesting novel main key known large small high low good better best able
    allows allow several various variety wide range number problem problems setting settings
    method methods setup case cases example examples task tasks data model models state"""
STOPWORDS = frozenset(singular(fold(word)) for word in _STOP_TEXT.split())

# Verbs abstracts use as predicates ("sheds light", "the gradient leaks information", "we
# construct …"): a candidate holding one of their forms is a clause fragment, not the name of a
# topic.  Verbs that also name methods (learn, train, sample, prune, …) are not listed, so
# "learned representations" or "training dynamics" stay candidates.  The second list's bare
# forms are nouns too, and may end a name ("memory leak", "training objective answer").
_VERBS = """
    achieve alleviate analyse analyze appear argue arise assess become begin believe bring
    characterise characterize choose combine compare conduct confirm consider constitute construct
    consume continue create depend derive describe develop emerge employ enable ensure establish
    evaluate examine exceed exhibit explore exploit extend fail find generalise generalize give
    grow guarantee highlight illustrate imply indicate inspire introduce investigate involve keep
    leverage lose mitigate motivate obtain offer outline outperform overcome perform pose prevent
    prove reduce rely remain require reveal seek seem solve suffer suggest surpass tackle take
    tend try underlie understand utilize validate verify want"""
_VERBS_ALSO_NOUNS = """
    address aim answer ask attempt attract capture catch claim draw drive face gain help hold lack
    leak let lie need pay put raise reach review shed stem yield"""
_IRREGULAR = """
    became begun brought caught chose chosen drew drawn drove driven found gave given grew grown
    held kept lay lain lost paid put sought shed took taken understood"""


def _verb_forms() -> tuple[frozenset[str], frozenset[str]]:
    """Matching keys of the verbs' forms: those that may end a name, and all the others."""
    nounlike: set[str] = set()
    other: set[str] = {singular(fold(word)) for word in _IRREGULAR.split()}
    also_nouns = set(_VERBS_ALSO_NOUNS.split())
    for verb in _VERBS.split() + sorted(also_nouns):
        stem = verb[:-1] if verb.endswith("e") else verb
        forms = [verb + "ed", verb + "d", stem + "ing", verb[:-2] + "ying"]  # lie -> lying
        if len(verb) <= 4 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou":
            forms += [verb + verb[-1] + "ed", verb + verb[-1] + "ing"]  # shed -> shedding
        bare = {singular(verb), singular(verb + "s"), singular(verb + "es")}
        (nounlike if verb in also_nouns else other).update(bare)
        other.update(singular(form) for form in forms)
    return frozenset(nounlike), frozenset(other - nounlike)


_VERB_NOUNLIKE, _VERB_OTHER = _verb_forms()
# Adverbs by their ending (``provably``, ``locally``, ``linearly``; not ``early``, ``family``):
# no topic name holds one.
_ADVERB = re.compile(r"\w{3,}(?:ally|ously|ively|edly|ently|antly|ably|ibly|omly|ormly|arly)$")
# Adjectives by their ending, and the nouns that end so: a topic name ends in a noun.
_ADJECTIVE = re.compile(r"\w{3,}(?:ous|ful|ical|ive)$")
_NOUNS_LIKE_ADJECTIVES = frozenset(
    (
        "alternative",
        "archive",
        "derivative",
        "detective",
        "directive",
        "executive",
        "incentive",
        "initiative",
        "narrative",
        "objective",
        "perspective",
        "primitive",
        "representative",
    )
)

_SENTENCE = re.compile(r"[.!?;:()\[\]{}\"“”‘’,]|\s[–—-]\s")


@dataclass(frozen=True)
class Suggestion:
    """A candidate topic: the phrase as written, its score, and the talks it comes from."""

    phrase: str
    score: float
    talk_keys: tuple[str, ...]


def _text(talk: Talk) -> str:
    return f"{talk.title}.\n{talk.abstract or ''}"


def _covered(vocabulary: Vocabulary) -> set[tuple[str, ...]]:
    keys: set[tuple[str, ...]] = set()
    for concept in vocabulary.concepts.values():
        keys.update(label_key(label) for label in concept.labels)
        keys.update(label_key(term) for term in concept.senses)
    return keys


def _matches_label(key: tuple[str, ...], covered: set[tuple[str, ...]]) -> bool:
    """True if the phrase is a label or contains one (the matcher would tag it)."""
    n = len(key)
    return any(
        len(label) <= n and any(key[i : i + len(label)] == label for i in range(n - len(label) + 1))
        for label in covered
    )


def noun_phrase(key: tuple[str, ...]) -> bool:
    """The words could name a thing: no predicate verb and a noun-like last word.

    ``sheds light``, ``gradient leaks information``, ``describing pixelated butterfly`` and
    ``consume enormous computational`` are clause fragments; a verb that is also a noun may end
    a phrase (``memory leak``), other verb forms never (``extreme size reaching``); an adverb
    (``locally adaptive``) or a final adjective (``structured compressive``) is no name either.
    """
    *head, last = key
    if any(word in _VERB_NOUNLIKE or word in _VERB_OTHER for word in head):
        return False
    if any(_ADVERB.fullmatch(word) for word in key):
        return False
    adjective = _ADJECTIVE.fullmatch(last) is not None and last not in _NOUNS_LIKE_ADJECTIVES
    return last not in _VERB_OTHER and not adjective


def _keyphrase(key: tuple[str, ...], form: str) -> bool:
    """Worth suggesting: two or three content words, or a single abbreviation (GNN, ViT)."""
    if not key or len(key) > MAX_WORDS or any(k in STOPWORDS or k.isdigit() for k in key):
        return False
    if not noun_phrase(key):
        return False
    if len(key) == 1:
        return is_acronym(form) and len(key[0]) > 1
    return all(len(k) > 2 or k.isalnum() and not k.isalpha() for k in key)


def _label_positions(keys: Sequence[str], covered: set[tuple[str, ...]], longest: int) -> set[int]:
    """Indices of the tokens that are part of some label occurrence."""
    out: set[int] = set()
    for i in range(len(keys)):
        for n in range(1, min(longest, len(keys) - i) + 1):
            if tuple(keys[i : i + n]) in covered:
                out.update(range(i, i + n))
    return out


def _free(key: tuple[str, ...], keys: Sequence[str], taken: set[int]) -> bool:
    """The phrase occurs at least once outside every label occurrence."""
    n = len(key)
    return any(
        tuple(keys[i : i + n]) == key and not taken.intersection(range(i, i + n))
        for i in range(len(keys) - n + 1)
    )


def _fallback_phrases(text: str) -> list[tuple[tuple[str, ...], str, float]]:
    """(key, surface form, 1.0) for every n-gram of content words inside one clause."""
    out: list[tuple[tuple[str, ...], str, float]] = []
    for clause in _SENTENCE.split(text):
        tokens = tokenize(clause)
        for a in range(len(tokens)):
            for b in range(a + 1, min(a + MAX_WORDS, len(tokens)) + 1):
                key = tuple(t.key for t in tokens[a:b])
                form = clause[tokens[a].start : tokens[b - 1].end]
                if _keyphrase(key, form):
                    out.append((key, form, 1.0))
    return out


def _yake_phrases(text: str) -> list[tuple[tuple[str, ...], str, float]] | None:
    try:
        import yake
    except ImportError:
        return None
    extractor = yake.KeywordExtractor(lan="en", n=MAX_WORDS, top=60)
    out: list[tuple[tuple[str, ...], str, float]] = []
    for phrase, score in extractor.extract_keywords(text):
        key = label_key(phrase)
        if _keyphrase(key, phrase):
            out.append((key, phrase, 1.0 / (1.0 + float(score))))
    return out


def suggest(
    talks: Iterable[Talk], vocabulary: Vocabulary, limit: int = 20, *, use_yake: bool = True
) -> list[Suggestion]:
    """The ``limit`` best candidate topics, best first.

    A phrase scores the number of talks it occurs in, plus a bonus below one for its length and
    its mean keyphrase quality (1 without YAKE): phrases shared by more talks always come first.
    """
    covered = _covered(vocabulary)
    longest = max((len(k) for k in covered), default=0)
    quality: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)  # key -> talk -> value
    forms: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for talk in talks:
        if talk.placeholder:
            continue
        text = _text(talk)
        keys = [t.key for t in tokenize(text)]
        taken = _label_positions(keys, covered, longest)
        found = _fallback_phrases(text)
        graded = _yake_phrases(text) if use_yake else None
        if graded is not None:  # YAKE grades the candidates; ungraded ones count for little
            grade = {key: value for key, _, value in graded}
            found = [(k, f, grade.get(k, 0.0)) for k, f, _ in found] + graded
        for key, form, value in found:
            if not _free(key, keys, taken):
                continue
            seen = quality[key]
            seen[talk.key] = max(value, seen.get(talk.key, 0.0))
            forms[key][form] += 1
    ranked: list[Suggestion] = []
    for key, per_talk in quality.items():
        if _matches_label(key, covered):
            continue
        form = sorted(forms[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        mean = sum(per_talk.values()) / len(per_talk)
        score = round(len(per_talk) + len(key) * mean / (MAX_WORDS + 1), 6)
        ranked.append(Suggestion(form, score, tuple(sorted(per_talk))))
    ranked.sort(key=lambda s: (-s.score, -len(s.talk_keys), s.phrase.casefold()))
    return _distinct(ranked, limit)


def _distinct(ranked: Sequence[Suggestion], limit: int) -> list[Suggestion]:
    """Drop a phrase whose words all belong to a better-ranked phrase from the same talks."""
    kept: list[Suggestion] = []
    for item in ranked:
        key = label_key(item.phrase)
        if any(
            set(key) <= set(label_key(k.phrase)) and set(item.talk_keys) <= set(k.talk_keys)
            for k in kept
        ):
            continue
        kept.append(item)
        if len(kept) == limit:
            break
    return kept


@dataclass(frozen=True)
class Proposal:
    """A talk that got only a fallback topic, and the concept a curator could add for it."""

    talk_key: str
    phrase: str | None  # the talk's best keyphrase that no label covers
    broader: str  # the fallback topic: the proposed concept's skos:broader


def curation(
    talks: Iterable[Talk],
    vocabulary: Vocabulary,
    assignments: Mapping[str, Sequence[Assignment]] | None = None,
) -> list[Proposal]:
    """For every talk flagged for curation, a proposed missing concept: a talk with only a
    fallback topic, or (given the ``assignments`` of a build, themes lifted) a talk that keeps
    its programme's theme for want of a narrower concept (proposed under the theme)."""
    from .matcher import Matcher

    matcher = Matcher.of(vocabulary)
    out: list[Proposal] = []
    for talk in talks:
        found = matcher.talk(talk) if assignments is None else assignments.get(talk.key, ())
        flagged = [a for a in found if a.needs_curation and not a.theme]
        if flagged:
            best = suggest([talk], vocabulary, limit=1, use_yake=False)
            phrase = best[0].phrase if best else None
            out.append(Proposal(talk.key, phrase, flagged[0].topic))
    return out
