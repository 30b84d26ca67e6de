"""Co-topic graphs built from a small hand-written RDF graph in the shape of the data model."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from rdflib import Graph

from talkgraph.errors import ConfigError
from talkgraph.graphs import (
    COTOPIC_QUERY,
    CoTopicData,
    Row,
    build_graph,
    data_from_graph,
    rows_from_bindings,
    rows_from_graph,
)

B = "http://talkgraph.localhost/"

# Six talks by five speakers (Ada has two), five topics. "machine learning" is too broad: it is
# on four talks and must not link any of them. t5 is a placeholder without topics; t6 is only
# about the too-broad topic.
TURTLE = """
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#> .
@prefix tg: <https://w3id.org/talkgraph/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix p: <http://talkgraph.localhost/person/> .
@prefix t: <http://talkgraph.localhost/talk/> .
@prefix c: <http://talkgraph.localhost/topic/> .

p:ada a schema:Person ; schema:name "Ada Example" .
p:bo a schema:Person ; schema:name "Bo Sample" .
p:zoe a schema:Person ; schema:name "Zoë Instance" .
p:dan a schema:Person ; schema:name "Dan Placeholder" .
p:eve a schema:Person ; schema:name "Eve Broad" .

c:cs a skos:Concept ; skos:prefLabel "compressed sensing"@en .
c:opt a skos:Concept ; skos:prefLabel "optimization"@en , "Optimierung"@de .
c:gsp a skos:Concept ; skos:prefLabel "graph signal processing"@en .
c:dl a skos:Concept ; skos:prefLabel "deep learning"@en ; skos:broader c:ml .
c:ml a skos:Concept ; skos:prefLabel "machine learning"@en ; tg:tooBroad true .

t:t1 a schema:Event, conf:Talk ; schema:name "Sparse recovery" ; schema:performer p:ada ;
  tg:isPlaceholder false ; schema:about c:cs, c:opt, c:ml .
t:t2 a schema:Event, conf:Talk ; schema:name "Convex methods" ; schema:performer p:bo ;
  tg:isPlaceholder false ; schema:about c:opt, c:cs, c:ml .
t:t3 a schema:Event, conf:Talk ; schema:name "Signals on graphs" ; schema:performer p:zoe ;
  tg:isPlaceholder false ; schema:about c:gsp, c:opt, c:ml .
t:t4 a schema:Event, conf:Talk ; schema:name "Deep sparse codes" ; schema:performer p:ada ;
  tg:isPlaceholder false ; schema:about c:cs, c:dl .
t:t5 a schema:Event, conf:Talk ; schema:name "TBA" ; schema:performer p:dan ;
  tg:isPlaceholder true .
t:t6 a schema:Event, conf:Talk ; schema:name "Learning in general" ; schema:performer p:eve ;
  tg:isPlaceholder false ; schema:about c:ml .
"""


def person(slug: str) -> str:
    return f"{B}person/{slug}"


def talk(slug: str) -> str:
    return f"{B}talk/{slug}"


def topic(slug: str) -> str:
    return f"{B}topic/{slug}"


def sample_graph() -> Graph:
    return Graph().parse(data=TURTLE, format="turtle")


def sample_data() -> CoTopicData:
    return data_from_graph(sample_graph())


def weights(g: nx.Graph) -> dict[frozenset[str], int]:
    return {frozenset((u, v)): w for u, v, w in g.edges(data="weight")}


def edge(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def test_rows_cover_every_talk_and_the_too_broad_flag() -> None:
    rows = rows_from_graph(sample_graph())
    assert {r.talk for r in rows} == {talk(f"t{n}") for n in range(1, 7)}
    assert Row(talk("t5"), "TBA", person("dan"), "Dan Placeholder") in rows
    broad = {r.topic for r in rows if r.too_broad}
    assert broad == {topic("ml")}
    # the English label only, even though another language is present
    assert {r.topic_label for r in rows if r.topic == topic("opt")} == {"optimization"}


def test_data_from_rows() -> None:
    data = sample_data()
    assert data.topics_of[talk("t1")] == {topic("cs"), topic("opt"), topic("ml")}
    assert data.topics_of[talk("t5")] == set()
    assert data.speakers_of[talk("t4")] == {person("ada")}
    assert data.too_broad == {topic("ml")}
    assert data.label(person("zoe")) == "Zoë Instance"
    assert data.label(talk("t2")) == "Convex methods"
    assert data.talks_of_speaker()[person("ada")] == {talk("t1"), talk("t4")}


def test_topic_cooccurrence_weights_and_talks() -> None:
    g = build_graph(sample_data(), "topics")
    assert set(g) == {topic(s) for s in ("cs", "opt", "gsp", "dl")}  # too-broad left out
    assert weights(g) == {
        edge(topic("cs"), topic("opt")): 2,
        edge(topic("gsp"), topic("opt")): 1,
        edge(topic("cs"), topic("dl")): 1,
    }
    assert g.edges[topic("cs"), topic("opt")]["talks"] == [talk("t1"), talk("t2")]
    assert g.edges[topic("cs"), topic("opt")]["talk_labels"] == [
        "Sparse recovery",
        "Convex methods",
    ]
    node = g.nodes[topic("cs")]
    assert node == {
        "label": "compressed sensing",
        "kind": "topic",
        "iri": topic("cs"),
        "weight": 3,
        "too_broad": False,
    }
    assert g.graph == {"kind": "topics", "min_weight": 1}


def test_speaker_edges_carry_similarity_and_explaining_topics() -> None:
    g = build_graph(sample_data(), "speakers", min_weight=1, top_k=None)
    # every speaker with a talk is a node, linked or not
    assert set(g) == {person(s) for s in ("ada", "bo", "zoe", "dan", "eve")}
    # Ada (cs, opt, dl) and Bo (cs, opt): the IDF-weighted cosine, in percent; Zoë shares only
    # "optimization", which all three speakers with topics have, so it weighs little
    w = weights(g)
    assert w == {
        edge(person("ada"), person("bo")): 48,
        edge(person("ada"), person("zoe")): 4,
        edge(person("bo"), person("zoe")): 8,
    }
    assert w[edge(person("ada"), person("bo"))] > w.get(edge(person("bo"), person("zoe")), 0)
    ada_bo = g.edges[person("ada"), person("bo")]
    assert ada_bo["topics"] == [topic("cs"), topic("opt")]
    assert ada_bo["concepts"] == [topic("cs"), topic("opt")]
    assert ada_bo["topic_labels"] == ["compressed sensing", "optimization"]
    assert 0 < ada_bo["similarity"] <= 1
    # the speaker whose only topic is too broad links to nobody
    assert g.degree(person("eve")) == 0
    assert g.nodes[person("ada")]["weight"] == 2
    assert g.nodes[person("ada")]["talks"] == [talk("t1"), talk("t4")]
    assert g.nodes[person("zoe")]["label"] == "Zoë Instance"


def test_talk_edges() -> None:
    g = build_graph(sample_data(), "talks", min_weight=1, top_k=None)
    assert set(g) == {talk(f"t{n}") for n in range(1, 7)}
    assert weights(g) == {
        edge(talk("t1"), talk("t2")): 100,  # the same two topics
        edge(talk("t1"), talk("t3")): 21,
        edge(talk("t2"), talk("t3")): 21,
        edge(talk("t1"), talk("t4")): 21,
        edge(talk("t2"), talk("t4")): 21,
    }
    assert g.edges[talk("t2"), talk("t4")]["topics"] == [topic("cs")]
    t5 = g.nodes[talk("t5")]
    assert (t5["label"], t5["weight"], t5["speakers"], t5["topics"]) == (
        "TBA",
        0,
        [person("dan")],
        [],
    )
    assert g.degree(talk("t6")) == 0


def test_default_threshold_and_top_k_thin_the_talk_graph() -> None:
    data = sample_data()
    assert build_graph(data, "talks").graph == {"kind": "talks", "min_weight": 10, "top_k": 5}
    one = build_graph(data, "talks", min_weight=1, top_k=1)
    # each talk keeps its strongest link; t3 and t4 keep one of their equal links each
    assert edge(talk("t1"), talk("t2")) in weights(one)
    assert one.number_of_edges() == 3


SIBLINGS = """
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#> .
@prefix t: <http://talkgraph.localhost/talk/> .
@prefix c: <http://talkgraph.localhost/topic/> .
c:imaging a skos:Concept ; skos:prefLabel "imaging"@en .
c:restoration a skos:Concept ; skos:prefLabel "image restoration"@en ; skos:broader c:imaging .
c:reconstruction a skos:Concept ; skos:prefLabel "image reconstruction"@en ;
  skos:broader c:imaging .
c:games a skos:Concept ; skos:prefLabel "game theory"@en .
c:voting a skos:Concept ; skos:prefLabel "voting"@en ; skos:broader c:games .
t:a a conf:Talk ; schema:name "A" ; schema:about c:restoration .
t:b a conf:Talk ; schema:name "B" ; schema:about c:reconstruction .
t:c a conf:Talk ; schema:name "C" ; schema:about c:voting .
t:d a conf:Talk ; schema:name "D" ; schema:about c:games .
"""


def test_sibling_topics_link_through_their_broader_topic() -> None:
    data = data_from_graph(Graph().parse(data=SIBLINGS, format="turtle"))
    g = build_graph(data, "talks", min_weight=1, top_k=None)
    ab = g.edges[talk("a"), talk("b")]
    assert ab["concepts"] == [topic("imaging")] and ab["topics"] == []
    assert ab["concept_labels"] == ["imaging"]
    assert ab["weight"] == 8  # siblings meet one level up: each has DECAY of it, IDF-weighted
    # a narrower topic and its own broader one are closer than two siblings
    assert g.edges[talk("c"), talk("d")]["weight"] > ab["weight"]
    assert not g.has_edge(talk("a"), talk("c"))


def test_bipartite_keeps_too_broad_topics_marked() -> None:
    g = build_graph(sample_data(), "bipartite")
    talks = {n for n, d in g.nodes(data=True) if d["bipartite"] == 0}
    topics = {n for n, d in g.nodes(data=True) if d["bipartite"] == 1}
    assert talks == {talk(f"t{n}") for n in range(1, 7)}
    assert topics == {topic(s) for s in ("cs", "opt", "gsp", "dl", "ml")}
    assert {d["kind"] for n, d in g.nodes(data=True) if n in topics} == {"topic"}
    assert {n for n in topics if g.nodes[n]["too_broad"]} == {topic("ml")}
    assert g.number_of_edges() == 12
    assert nx.is_bipartite(g)
    assert g.nodes[topic("ml")]["weight"] == 4


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("topics", {edge(topic("cs"), topic("opt"))}),
        ("speakers", {edge(person("ada"), person("bo"))}),
        ("talks", {edge(talk("t1"), talk("t2"))}),
        ("bipartite", set()),
    ],
)
def test_min_weight_filters_edges_not_nodes(kind: str, expected: set[frozenset[str]]) -> None:
    data = sample_data()
    full = build_graph(data, kind)  # type: ignore[arg-type]
    heavy = 2 if kind in ("topics", "bipartite") else 40
    g = build_graph(data, kind, min_weight=heavy)  # type: ignore[arg-type]
    assert set(weights(g)) == expected
    assert set(g) == set(full)
    assert g.graph["min_weight"] == heavy


def test_row_order_does_not_matter() -> None:
    rows = rows_from_graph(sample_graph())
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    for kind in ("topics", "speakers", "talks", "bipartite"):
        a = build_graph(CoTopicData.from_rows(rows), kind)
        b = build_graph(CoTopicData.from_rows(shuffled), kind)
        assert list(a.nodes(data=True)) == list(b.nodes(data=True))
        assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="kind"):
        build_graph(sample_data(), "people")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="min_weight"):
        build_graph(sample_data(), "talks", min_weight=0)
    with pytest.raises(ValueError, match="talk"):
        rows_from_bindings([{"topic": topic("cs")}])


def test_bindings_from_another_engine() -> None:
    rows = rows_from_bindings(
        [
            {"?talk": talk("x"), "?talkLabel": "X", "?topic": topic("a"), "?tooBroad": "true"},
            {"talk": talk("x"), "topic": topic("b"), "tooBroad": None, "speaker": None},
            {"talk": talk("y"), "topic": topic("b"), "tooBroad": False},
        ]
    )
    data = CoTopicData.from_rows(rows)
    assert data.too_broad == {topic("a")}
    assert data.label(topic("a")) == topic("a")  # no label: the IRI stands in
    assert data.label(talk("x")) == "X"


def test_the_query_runs_the_same_on_pyoxigraph() -> None:
    ox = pytest.importorskip("pyoxigraph")
    store = ox.Store()
    store.load(TURTLE.encode(), format=ox.RdfFormat.TURTLE)
    solutions = store.query(COTOPIC_QUERY)
    names = [v.value for v in solutions.variables]
    oxi = rows_from_bindings({name: s[name] for name in names} for s in solutions)
    assert sorted(oxi) == sorted(rows_from_graph(sample_graph()))


def test_evidence_confidence_weighs_a_topic() -> None:
    t, c = "http://talkgraph.localhost/talk/", "http://talkgraph.localhost/topic/"
    evidence = f"""
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
@prefix tg: <https://w3id.org/talkgraph/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{t}a> schema:about <{c}voting> .
<{t}a#e1> oa:hasBody <{c}voting> ; oa:hasTarget <{t}a#e1-target> ;
    tg:confidence "0.5"^^xsd:decimal .
<{t}a#e1-target> oa:hasSource <{t}a> .
"""
    graph = Graph().parse(data=SIBLINGS, format="turtle").parse(data=evidence, format="turtle")
    data = data_from_graph(graph)
    assert data.confidence == {(talk("a"), topic("voting")): 0.5}
    sure = data_from_graph(graph).add_confidence([])
    sure.confidence.clear()
    weak = build_graph(data, "talks", min_weight=1, top_k=None)
    firm = build_graph(sure, "talks", min_weight=1, top_k=None)
    # "a" is less surely about voting: closer to "b" (image reconstruction), further from "c"
    assert (
        weak.edges[talk("a"), talk("c")]["similarity"]
        < firm.edges[talk("a"), talk("c")]["similarity"]
    )
    assert (
        weak.edges[talk("a"), talk("b")]["similarity"]
        > firm.edges[talk("a"), talk("b")]["similarity"]
    )
