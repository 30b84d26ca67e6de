"""Co-topic graphs built from the RDF graph through one SPARQL SELECT.

The query (:data:`COTOPIC_QUERY`) yields one row per talk × speaker × topic. Any SPARQL engine can
run it: rdflib here (:func:`rows_from_graph`), pyoxigraph in the web layer (hand its solutions to
:func:`rows_from_bindings`). :class:`CoTopicData` gathers the rows; :func:`build_graph` derives
one of four networkx graphs from it. Topics marked ``tg:tooBroad`` make no co-topic edges.

Talks and speakers are linked by the similarity of :mod:`talkgraph.topics.similarity` (cosine of
IDF-weighted topic vectors expanded along ``skos:broader``), which needs the concept hierarchy:
:data:`HIERARCHY_QUERY` gives it (:meth:`CoTopicData.add_hierarchy`). An edge's ``weight`` is the
similarity in percent (an integer, 1–100); ``similarity`` keeps it as a fraction, ``concepts``
the concepts that explain it (shared topics or common broader concepts) and ``topics`` the
topics both ends have.

Node ids are IRIs; nodes and edges are added in sorted order, so the graph does not depend on
the order of the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal, get_args

import networkx as nx
from rdflib import Graph
from rdflib.query import ResultRow

from ..errors import ConfigError
from ..topics.similarity import MIN_WEIGHT, TOP_K, Hierarchy, Similarity, merge
from ..vocab import CONF, SCHEMA, SKOS, TG

GraphKind = Literal["topics", "speakers", "talks", "bipartite"]
KINDS: tuple[str, ...] = get_args(GraphKind)

COTOPIC_QUERY = f"""\
PREFIX schema: <{SCHEMA}>
PREFIX skos: <{SKOS}>
PREFIX conf: <{CONF}>
PREFIX tg: <{TG._NS}>
SELECT ?talk ?talkLabel ?speaker ?speakerLabel ?topic ?topicLabel ?tooBroad
WHERE {{
  ?talk a conf:Talk .
  OPTIONAL {{ ?talk schema:name ?talkLabel }}
  OPTIONAL {{
    ?talk schema:performer ?speaker .
    OPTIONAL {{ ?speaker schema:name ?speakerLabel }}
  }}
  OPTIONAL {{
    ?talk schema:about ?topic .
    OPTIONAL {{
      ?topic skos:prefLabel ?topicLabel .
      FILTER (lang(?topicLabel) = "" || langMatches(lang(?topicLabel), "en"))
    }}
    OPTIONAL {{ ?topic tg:tooBroad ?tooBroad }}
  }}
}}
"""

HIERARCHY_QUERY = f"""\
PREFIX skos: <{SKOS}>
PREFIX tg: <{TG._NS}>
SELECT ?topic ?topicLabel ?broader ?tooBroad
WHERE {{
  ?topic a skos:Concept .
  OPTIONAL {{ ?topic skos:broader ?broader }}
  OPTIONAL {{
    ?topic skos:prefLabel ?topicLabel .
    FILTER (lang(?topicLabel) = "" || langMatches(lang(?topicLabel), "en"))
  }}
  OPTIONAL {{ ?topic tg:tooBroad ?tooBroad }}
}}
"""

CONFIDENCE_QUERY = f"""\
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX tg: <{TG._NS}>
SELECT ?talk ?topic (MAX(?c) AS ?confidence)
WHERE {{
  ?annotation oa:hasBody ?topic ; oa:hasTarget ?target .
  ?target oa:hasSource ?talk .
  OPTIONAL {{ ?annotation tg:confidence ?given }}
  BIND (COALESCE(?given, 1.0) AS ?c)
}}
GROUP BY ?talk ?topic
"""

# the similarity's defaults, as edge weights in percent
DEFAULT_MIN_WEIGHT = {"speakers": round(MIN_WEIGHT * 100), "talks": round(MIN_WEIGHT * 100)}
DEFAULT_TOP_K = {"speakers": TOP_K, "talks": TOP_K}

_COLUMNS = ("talk", "talkLabel", "speaker", "speakerLabel", "topic", "topicLabel", "tooBroad")


@dataclass(frozen=True, order=True)
class Row:
    """One solution of :data:`COTOPIC_QUERY` (IRIs and labels as plain strings)."""

    talk: str
    talk_label: str | None = None
    speaker: str | None = None
    speaker_label: str | None = None
    topic: str | None = None
    topic_label: str | None = None
    too_broad: bool = False


def _text(value: object) -> str | None:
    """A binding as a string: rdflib terms are ``str``; pyoxigraph terms have ``.value``."""
    if value is None:
        return None
    if isinstance(value, str):
        return str(value)
    inner = getattr(value, "value", None)
    if isinstance(inner, str):
        return inner
    raise TypeError(f"unsupported SPARQL binding {value!r}")


def _flag(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = _text(value)
    return text is not None and text.strip().lower() in ("true", "1")


def rows_from_bindings(bindings: Iterable[Mapping[str, object]]) -> list[Row]:
    """Rows from solutions of any engine: mappings of variable name (``?`` optional) to value.

    Values may be ``None`` (unbound), ``bool``, ``str`` (rdflib terms included) or a term with a
    string ``value`` (pyoxigraph).
    """
    rows = []
    for binding in bindings:
        get = {name.lstrip("?"): value for name, value in binding.items()}
        talk = _text(get.get("talk"))
        if talk is None:
            raise ValueError(f"co-topic row without ?talk: {dict(binding)!r}")
        rows.append(
            Row(
                talk=talk,
                talk_label=_text(get.get("talkLabel")),
                speaker=_text(get.get("speaker")),
                speaker_label=_text(get.get("speakerLabel")),
                topic=_text(get.get("topic")),
                topic_label=_text(get.get("topicLabel")),
                too_broad=_flag(get.get("tooBroad")),
            )
        )
    return rows


def hierarchy_from_graph(graph: Graph) -> list[dict[str, object]]:
    """Run :data:`HIERARCHY_QUERY` on an rdflib graph."""
    out: list[dict[str, object]] = []
    for result in graph.query(HIERARCHY_QUERY):
        assert isinstance(result, ResultRow)
        out.append({name: result[name] for name in ("topic", "topicLabel", "broader", "tooBroad")})
    return out


def data_from_graph(graph: Graph) -> CoTopicData:
    """Rows, hierarchy and confidences of an rdflib graph."""
    data = CoTopicData.from_rows(rows_from_graph(graph)).add_hierarchy(hierarchy_from_graph(graph))
    confidences: list[dict[str, object]] = []
    for result in graph.query(CONFIDENCE_QUERY):
        assert isinstance(result, ResultRow)
        confidences.append({name: result[name] for name in ("talk", "topic", "confidence")})
    return data.add_confidence(confidences)


def rows_from_graph(graph: Graph) -> list[Row]:
    """Run :data:`COTOPIC_QUERY` on an rdflib graph (or dataset with a default union)."""
    bindings = []
    for result in graph.query(COTOPIC_QUERY):
        assert isinstance(result, ResultRow)
        bindings.append({name: result[name] for name in _COLUMNS})
    return rows_from_bindings(bindings)


@dataclass
class CoTopicData:
    """What the rows say: each talk's topics and speakers, and every label."""

    topics_of: dict[str, set[str]] = field(default_factory=dict)  # talk -> topics
    speakers_of: dict[str, set[str]] = field(default_factory=dict)  # talk -> speakers
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> label
    too_broad: set[str] = field(default_factory=set)  # topics that make no edges
    broader: dict[str, set[str]] = field(default_factory=dict)  # topic -> broader topics
    # (talk, topic) -> confidence of the best evidence, when below 1 (tg:confidence)
    confidence: dict[tuple[str, str], float] = field(default_factory=dict)
    # talk -> topics its evidence names: its topics, and the themes of its programme it names
    # (a theme is not the talk's topic, but counts in the similarity: see topics.themes)
    evidenced: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> CoTopicData:
        data = cls()
        candidates: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            data.topics_of.setdefault(row.talk, set())
            data.speakers_of.setdefault(row.talk, set())
            pairs = [(row.talk, row.talk_label)]
            if row.speaker is not None:
                data.speakers_of[row.talk].add(row.speaker)
                pairs.append((row.speaker, row.speaker_label))
            if row.topic is not None:
                data.topics_of[row.talk].add(row.topic)
                pairs.append((row.topic, row.topic_label))
                if row.too_broad:
                    data.too_broad.add(row.topic)
            for iri, label in pairs:
                found = candidates[iri]
                if label:
                    found.add(label)
        # several labels for one thing (not in the contract): take the smallest, deterministically
        data.labels = {iri: min(found) if found else iri for iri, found in candidates.items()}
        return data

    def add_hierarchy(self, bindings: Iterable[Mapping[str, object]]) -> CoTopicData:
        """Add ``skos:broader``, labels and too-broad flags from :data:`HIERARCHY_QUERY`."""
        for binding in bindings:
            get = {name.lstrip("?"): value for name, value in binding.items()}
            topic = _text(get.get("topic"))
            if topic is None:
                continue
            self.broader.setdefault(topic, set())
            parent = _text(get.get("broader"))
            if parent is not None:
                self.broader[topic].add(parent)
            label = _text(get.get("topicLabel"))
            if label and (topic not in self.labels or self.labels[topic] == topic):
                self.labels[topic] = label
            if _flag(get.get("tooBroad")):
                self.too_broad.add(topic)
        return self

    def add_confidence(self, bindings: Iterable[Mapping[str, object]]) -> CoTopicData:
        """Add the confidence of each talk's topics from :data:`CONFIDENCE_QUERY`."""
        for binding in bindings:
            get = {name.lstrip("?"): value for name, value in binding.items()}
            talk, topic = _text(get.get("talk")), _text(get.get("topic"))
            value = _text(get.get("confidence"))
            if talk is None or topic is None or value is None:
                continue
            self.evidenced.setdefault(talk, set()).add(topic)
            try:
                confidence = float(value)
            except ValueError:
                continue
            if 0 < confidence < 1:
                self.confidence[talk, topic] = confidence
        return self

    def hierarchy(self) -> Hierarchy:
        return Hierarchy(self.broader, self.too_broad)

    def label(self, iri: str) -> str:
        return self.labels.get(iri, iri)

    @property
    def talks(self) -> list[str]:
        return sorted(self.topics_of)

    @property
    def topics(self) -> list[str]:
        return sorted(set().union(*self.topics_of.values()))

    def linking_topics(self, talk: str) -> set[str]:
        """The talk's topics that make co-topic edges (not too broad)."""
        return self.topics_of.get(talk, set()) - self.too_broad

    def talks_of_speaker(self) -> dict[str, set[str]]:
        talks: dict[str, set[str]] = defaultdict(set)
        for talk, speakers in self.speakers_of.items():
            for speaker in speakers:
                talks[speaker].add(talk)
        return dict(talks)

    def talks_of_topic(self) -> dict[str, set[str]]:
        talks: dict[str, set[str]] = defaultdict(set)
        for talk, topics in self.topics_of.items():
            for topic in topics:
                talks[topic].add(talk)
        return dict(talks)


def _labels(data: CoTopicData, iris: Iterable[str]) -> list[str]:
    return [data.label(iri) for iri in iris]


def _add_node(g: nx.Graph, data: CoTopicData, iri: str, kind: str, **attrs: object) -> None:
    g.add_node(iri, label=data.label(iri), kind=kind, iri=iri, **attrs)


def _add_talk_node(g: nx.Graph, data: CoTopicData, talk: str) -> None:
    speakers = sorted(data.speakers_of[talk])
    topics = sorted(data.topics_of[talk])
    _add_node(
        g, data, talk, "talk",
        weight=len(topics),
        speakers=speakers, speaker_labels=_labels(data, speakers),
        topics=topics, topic_labels=_labels(data, topics),
    )  # fmt: skip


def _similarity_edges(
    g: nx.Graph,
    data: CoTopicData,
    profiles: Mapping[str, Mapping[str, float]],
    min_weight: float,
    top_k: int | None,
) -> None:
    """Link nodes whose similarity in percent is at least ``min_weight`` (see module doc)."""
    similarity = Similarity(profiles, data.hierarchy())
    links = similarity.links(min_weight / 100, top_k)
    for link in links:
        percent = round(link.weight * 100)
        if percent < max(1, min_weight):
            continue
        g.add_edge(
            link.a, link.b,
            weight=percent, similarity=link.weight,
            concepts=list(link.concepts), concept_labels=_labels(data, link.concepts),
            topics=list(link.shared), topic_labels=_labels(data, link.shared),
        )  # fmt: skip


def _topics_graph(g: nx.Graph, data: CoTopicData, min_weight: float, top_k: int | None) -> None:
    talks_of = data.talks_of_topic()
    for topic in sorted(set(talks_of) - data.too_broad):
        _add_node(g, data, topic, "topic", weight=len(talks_of[topic]), too_broad=False)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for talk in data.talks:
        for a, b in combinations(sorted(data.linking_topics(talk)), 2):
            pairs[a, b].add(talk)
    for (a, b), talk_set in sorted(pairs.items()):
        talks = sorted(talk_set)
        if len(talks) >= min_weight:
            g.add_edge(a, b, weight=len(talks), talks=talks, talk_labels=_labels(data, talks))


def _profile(data: CoTopicData, talk: str) -> dict[str, float]:
    """The talk's topics and the themes its words name (as in the build, see topics.themes)."""
    topics = data.linking_topics(talk) | (data.evidenced.get(talk, set()) - data.too_broad)
    return {t: data.confidence.get((talk, t), 1.0) for t in topics}


def _speakers_graph(g: nx.Graph, data: CoTopicData, min_weight: float, top_k: int | None) -> None:
    talks_of = data.talks_of_speaker()
    profiles: dict[str, dict[str, float]] = {}
    for speaker in sorted(talks_of):
        talks = sorted(talks_of[speaker])
        _add_node(
            g, data, speaker, "speaker",
            weight=len(talks), talks=talks, talk_labels=_labels(data, talks),
        )  # fmt: skip
        profiles[speaker] = merge(_profile(data, t) for t in talks)
    _similarity_edges(g, data, profiles, min_weight, top_k)


def _talks_graph(g: nx.Graph, data: CoTopicData, min_weight: float, top_k: int | None) -> None:
    for talk in data.talks:
        _add_talk_node(g, data, talk)
    profiles = {t: _profile(data, t) for t in data.talks}
    _similarity_edges(g, data, profiles, min_weight, top_k)


def _bipartite_graph(g: nx.Graph, data: CoTopicData, min_weight: float, top_k: int | None) -> None:
    for talk in data.talks:
        _add_talk_node(g, data, talk)
        g.nodes[talk]["bipartite"] = 0
    talks_of = data.talks_of_topic()
    for topic in data.topics:
        _add_node(
            g, data, topic, "topic",
            weight=len(talks_of[topic]), too_broad=topic in data.too_broad, bipartite=1,
        )  # fmt: skip
    if min_weight <= 1:
        for talk in data.talks:
            for topic in sorted(data.topics_of[talk]):
                g.add_edge(talk, topic, weight=1)


_BUILDERS = {
    "topics": _topics_graph,
    "speakers": _speakers_graph,
    "talks": _talks_graph,
    "bipartite": _bipartite_graph,
}


def default_min_weight(kind: str) -> int:
    """The ``min_weight`` a kind of graph gets when none is given."""
    return DEFAULT_MIN_WEIGHT.get(kind, 1)


def build_graph(
    data: CoTopicData,
    kind: GraphKind,
    min_weight: float | None = None,
    top_k: int | None | Literal["default"] = "default",
) -> nx.Graph:
    """One co-topic graph; edges lighter than ``min_weight`` are left out (nodes stay).

    * ``topics``: topics linked by the talks they both describe (weight = number of talks, edge
      ``talks``); node ``weight`` = number of talks about the topic;
    * ``speakers``: speakers linked by the similarity of their talks' topics (weight = similarity
      in percent, edge ``concepts``/``concept_labels`` explaining it, ``topics``/``topic_labels``
      shared); node ``weight`` = number of talks; by default only links of at least
      :data:`DEFAULT_MIN_WEIGHT` are kept, thinned to each node's :data:`DEFAULT_TOP_K` strongest
      (``top_k=None`` keeps all);
    * ``talks``: the same between talks; node ``weight`` = number of topics;
    * ``bipartite``: talk (``bipartite`` 0) – topic (``bipartite`` 1), too-broad topics kept
      and marked ``too_broad``; every edge has weight 1.
    """
    if kind not in _BUILDERS:
        raise ConfigError(f"unknown co-topic graph kind {kind!r}; expected one of {KINDS}")
    if min_weight is None:
        min_weight = default_min_weight(kind)
    if min_weight < 1:
        raise ConfigError(f"min_weight must be at least 1, got {min_weight}")
    k = DEFAULT_TOP_K.get(kind) if top_k == "default" else top_k
    if k is not None and k < 1:
        raise ConfigError(f"top_k must be at least 1, got {k}")
    g = nx.Graph(kind=kind, min_weight=min_weight)
    if k is not None and kind in DEFAULT_TOP_K:
        g.graph["top_k"] = k
    _BUILDERS[kind](g, data, min_weight, k)
    return g
