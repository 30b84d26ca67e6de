"""Loading and validating the SKOS topic vocabulary (``data/topics.ttl``).

The scheme is the one ``skos:ConceptScheme`` of the file; every concept in it has an IRI
``{scheme}{slug}``. Besides SKOS, three talkgraph terms steer the matcher (see the file header):
``tg:tooBroad``, ``tg:weak`` and ``tg:senseOf`` / ``tg:senseContext``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.exceptions import ParserError

from ..errors import InputError, Place
from ..iris import fold, slugify
from ..resources import data_file
from ..vocab import DCTERMS, RDF, SKOS, TG

DEFAULT_PATH = data_file("topics.ttl")

# ------------------------------------------------------------------ tokens (labels and text alike)

# Runs of letters and digits (hyphens, slashes and quotes, straight or typographic, separate
# words); a word with a short parenthesised ending, "convolution(al)", is read as its long form.
_WORD = re.compile(r"(?P<stem>[^\W_]+)\((?P<end>[^\W\d_]{1,4})\)|[^\W_]+")
# Prefixes written solid, hyphenated or open ("nonconvex", "non-convex", "non convex") are joined
# to the next word; words that also stand alone ("over", "self") only across a hyphen.
BOUND_PREFIXES = frozenset(
    ["non", "semi", "multi", "pre", "post", "co", "sub", "hyper", "meta", "anti"]
    + ["inter", "intra", "pseudo", "quasi", "bi", "tri", "uni"]
)
HYPHEN_PREFIXES = frozenset(["over", "under", "self", "re", "super", "cross"])
_HYPHENS = "-\u2010\u2011"


@dataclass(frozen=True)
class Token:
    """A word of a text: where it is, its matching key and its case-kept form (for acronyms)."""

    start: int
    end: int
    key: str  # case- and diacritic-folded, plural stripped
    exact: str  # diacritic-folded, case kept, plural stripped


def singular(word: str) -> str:
    """A light, plural-only stemmer: ``networks`` -> ``network``, ``biases`` -> ``bias``."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ias")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes", "iases")):
        return word[:-2]
    return word[:-1]


def is_acronym(word: str) -> bool:
    """Words with two or more capitals (GNN, MoE, ReLU) are matched case-sensitively."""
    return sum(c.isupper() for c in word) >= 2


@functools.lru_cache(maxsize=1 << 16)  # a word's forms are made once (tokenize: most of assign)
def _exact(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    if len(folded) > 2 and folded.endswith("s") and is_acronym(folded[:-1]):
        return folded[:-1]  # GNNs -> GNN
    return folded


def stem(word: str) -> str:
    """Verb and noun forms of one word alike (applied after :func:`singular`):
    ``-ise/-isation`` as ``-ize/-ization``, then ``regularize``, ``regularized``, ``regularizing``,
    ``regularization`` -> ``regulariz`` and ``interpolate``, ``interpolating``, ``interpolation``
    -> ``interpol`` when at least four letters remain."""
    for british, american in (("isation", "ization"), ("ising", "izing"), ("ised", "ized")):
        if word.endswith(british) and len(word) > len(british) + 2:
            word = word[: -len(british)] + american
    if word.endswith("ise") and len(word) > 6:
        word = word[:-3] + "ize"
    for ending in ("ization", "izing", "ized", "izer", "ize"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)] + "iz"
    for ending in ("ation", "ating", "ated", "ate"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


@functools.lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    return stem(singular(fold(word)))


_fold = functools.lru_cache(maxsize=1 << 16)(fold)


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` with their character offsets (see :data:`BOUND_PREFIXES`)."""
    tokens: list[Token] = []
    joined = False
    for m in _WORD.finditer(text):
        word = m.group("stem") + m.group("end") if m.group("stem") else m.group()
        if tokens and not joined:
            last = tokens[-1]
            gap = text[last.end : m.start()]
            prefix = _fold(text[last.start : last.end])
            hyphen = len(gap) == 1 and gap in _HYPHENS
            if (prefix in BOUND_PREFIXES and (hyphen or gap == " ")) or (
                prefix in HYPHEN_PREFIXES and hyphen
            ):
                whole = text[last.start : last.end] + word
                tokens[-1] = Token(last.start, m.end(), _key(whole), _exact(whole))
                joined = True
                continue
        joined = False
        tokens.append(Token(m.start(), m.end(), _key(word), _exact(word)))
    return tokens


def label_key(label: str) -> tuple[str, ...]:
    """The normalised form of a label, as text tokens are normalised."""
    return tuple(t.key for t in tokenize(label))


def label_pattern(label: str) -> tuple[str | None, ...]:
    """For each word of ``label``: the case-kept form it must have, or ``None`` (any case)."""
    return tuple(t.exact if is_acronym(t.exact) else None for t in tokenize(label))


@dataclass(frozen=True)
class Concept:
    """One topic of the vocabulary."""

    slug: str
    pref_label: str
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()  # slugs
    definition: str | None = None
    close_match: tuple[str, ...] = ()  # IRIs, e.g. https://arxiv.org/list/cs.LG
    too_broad: bool = False
    weak: bool = False
    senses: tuple[str, ...] = ()  # ambiguous terms this topic is one sense of
    sense_context: tuple[str, ...] = ()  # words that select this sense
    top: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.pref_label, *self.alt_labels)


@dataclass
class Vocabulary:
    """A validated concept scheme."""

    concepts: dict[str, Concept]
    title: str | None = None
    source: str = ""
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    # compiled forms of this vocabulary (the matcher's index), built once on first use
    compiled: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def __contains__(self, slug: object) -> bool:
        return slug in self.concepts

    def __getitem__(self, slug: str) -> Concept:
        return self.concepts[slug]

    def __len__(self) -> int:
        return len(self.concepts)

    def ancestors(self, slug: str) -> frozenset[str]:
        """Every concept reachable by ``skos:broader`` (not the concept itself)."""
        if slug not in self._ancestors:
            seen: set[str] = set()
            todo = list(self.concepts[slug].broader)
            while todo:
                parent = todo.pop()
                if parent not in seen:
                    seen.add(parent)
                    todo.extend(self.concepts[parent].broader)
            self._ancestors[slug] = frozenset(seen)
        return self._ancestors[slug]


def _error(path: str, message: str, slug: str | None = None) -> InputError:
    return InputError(message, Place(path, field=slug))


def _texts(graph: Graph, node: URIRef, prop: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(node, prop) if isinstance(o, Literal))


def _flag(graph: Graph, node: URIRef, prop: URIRef) -> bool:
    return any(isinstance(o, Literal) and o.toPython() is True for o in graph.objects(node, prop))


def _context(graph: Graph, node: URIRef) -> tuple[str, ...]:
    words: list[str] = []
    for text in _texts(graph, node, TG.senseContext):
        words.extend(w.strip() for w in text.split(",") if w.strip())
    return tuple(words)


def _concept(graph: Graph, node: URIRef, slug: str, scheme: str, path: str) -> Concept:
    prefs = [o for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal)]
    english = [str(o) for o in prefs if o.language == "en"]
    if len(english) != 1:
        raise _error(path, f"topic {slug!r} needs exactly one English skos:prefLabel", slug)
    broader: list[str] = []
    for parent in graph.objects(node, SKOS.broader):
        if not str(parent).startswith(scheme):
            raise _error(path, f"topic {slug!r} has a broader topic outside the scheme", slug)
        broader.append(str(parent)[len(scheme) :])
    definitions = _texts(graph, node, SKOS.definition)
    return Concept(
        slug=slug,
        pref_label=english[0],
        alt_labels=tuple(_texts(graph, node, SKOS.altLabel)),
        broader=tuple(sorted(broader)),
        definition=definitions[0] if definitions else None,
        close_match=tuple(sorted(str(o) for o in graph.objects(node, SKOS.closeMatch))),
        too_broad=_flag(graph, node, TG.tooBroad),
        weak=_flag(graph, node, TG.weak),
        senses=tuple(_texts(graph, node, TG.senseOf)),
        sense_context=_context(graph, node),
        top=(node, SKOS.topConceptOf, URIRef(scheme)) in graph,
    )


def _check_labels(concepts: dict[str, Concept], path: str) -> None:
    """A label may name one topic only; a shared term must be a declared sense of each."""
    owner: dict[tuple[str, ...], str] = {}
    for concept in concepts.values():
        for label in concept.labels:
            key = label_key(label)
            if not key:
                raise _error(path, f"topic {concept.slug!r} has an empty label", concept.slug)
            other = owner.setdefault(key, concept.slug)
            if other != concept.slug:
                raise _error(
                    path,
                    f"label {label!r} names both {other!r} and {concept.slug!r}; "
                    "declare it as tg:senseOf on both instead",
                    concept.slug,
                )
    for concept in concepts.values():
        for term in concept.senses:
            clash = owner.get(label_key(term))
            if clash is not None:
                raise _error(
                    path,
                    f"sense term {term!r} of {concept.slug!r} is also a label of {clash!r}",
                    concept.slug,
                )
            if not concept.sense_context:
                raise _error(path, f"topic {concept.slug!r} has senses but no tg:senseContext")


def _check_broader(concepts: dict[str, Concept], path: str) -> None:
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(slug: str, trail: list[str]) -> None:
        state[slug] = 1
        for parent in concepts[slug].broader:
            if parent not in concepts:
                raise _error(path, f"topic {slug!r} has unknown broader topic {parent!r}", slug)
            if state.get(parent) == 1:
                cycle = " -> ".join([*trail[trail.index(parent) :], parent])
                raise _error(path, f"skos:broader cycle: {cycle}", slug)
            if parent not in state:
                visit(parent, [*trail, parent])
        state[slug] = 2

    for slug in sorted(concepts):
        if slug not in state:
            visit(slug, [slug])


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read and validate a topic vocabulary (default: the packaged ``data/topics.ttl``)."""
    path = path or DEFAULT_PATH
    name = str(path)
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise _error(name, "topic vocabulary not found") from exc
    except (ParserError, SyntaxError, ValueError) as exc:
        raise _error(name, f"not valid Turtle: {exc}") from exc
    schemes = sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str)
    if len(schemes) != 1 or not isinstance(schemes[0], URIRef):
        raise _error(name, f"expected exactly one skos:ConceptScheme, found {len(schemes)}")
    scheme = str(schemes[0])
    if not scheme.endswith(("/", "#")):
        raise _error(name, f"the scheme IRI {scheme} must end with '/' or '#'")
    concepts: dict[str, Concept] = {}
    for node in sorted(set(graph.subjects(RDF.type, SKOS.Concept)), key=str):
        if not isinstance(node, URIRef) or (node, SKOS.inScheme, schemes[0]) not in graph:
            raise _error(name, f"concept {node} is not skos:inScheme {scheme}")
        slug = str(node)[len(scheme) :] if str(node).startswith(scheme) else ""
        if not slug or slugify(slug) != slug:
            raise _error(name, f"concept {node} is not {scheme}<slug>")
        concepts[slug] = _concept(graph, node, slug, scheme, name)
    if not concepts:
        raise _error(name, "the vocabulary has no concepts")
    _check_broader(concepts, name)
    _check_labels(concepts, name)
    titles = _texts(graph, schemes[0], DCTERMS.title) or _texts(graph, schemes[0], SKOS.prefLabel)
    return Vocabulary(concepts=concepts, title=titles[0] if titles else None, source=name)
