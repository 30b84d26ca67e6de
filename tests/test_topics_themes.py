"""Themes of a programme: a concept on a large share of a programme's talks is lifted to the
event; each talk keeps a topic of its own (a narrower concept, else the theme, flagged)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from talkgraph import vocab as ns
from talkgraph.graphs.build import build_graph, data_from_graph
from talkgraph.ingest import load_programme
from talkgraph.iris import Minter
from talkgraph.model import KnowledgeModel, Talk
from talkgraph.parts import vocabulary_slice
from talkgraph.rdf import to_graph
from talkgraph.registry import Registry
from talkgraph.resolve import resolve
from talkgraph.topics import Vocabulary, assign, load_vocabulary, topics_of, vocabulary_graph
from talkgraph.topics.annotate import THEME_NOTE, explain, programme_topics, theme_iri
from talkgraph.topics.links import talk_similarity
from talkgraph.topics.matcher import FALLBACK_CONFIDENCE
from talkgraph.topics.suggest import curation
from talkgraph.topics.themes import Themed, find_themes, lift_themes
from talkgraph.validation import load_shapes, validate
from talkgraph.vocab import bind_prefixes

VOCAB = """@prefix t: <https://w3id.org/talkgraph/topic/> .
@prefix tg: <https://w3id.org/talkgraph/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
t: a skos:ConceptScheme .
t:sp a skos:Concept ; skos:inScheme t: ; skos:prefLabel "signal processing"@en .
t:gsp a skos:Concept ; skos:inScheme t: ; skos:prefLabel "graph signal processing"@en ;
    skos:broader t:sp ; skos:definition "Signal processing for data on the nodes of a graph."@en .
t:gf a skos:Concept ; skos:inScheme t: ; skos:prefLabel "graph filters"@en ; skos:broader t:gsp .
t:tsp a skos:Concept ; skos:inScheme t: ; skos:prefLabel "topological signal processing"@en ;
    skos:broader t:gsp ;
    skos:definition "Signals on simplicial complexes, analysed with Hodge Laplacians."@en .
t:dir a skos:Concept ; skos:inScheme t: ; skos:prefLabel "directed graphs"@en ;
    skos:broader t:gsp ; tg:weak true .
t:opt a skos:Concept ; skos:inScheme t: ; skos:prefLabel "convex optimization"@en .
"""

# One workshop: four talks name graph signal processing (of six; the TBA does not count).
PROGRAMME = """event:
  name: Workshop on graph signals
  identifier: ws
talks:
- speaker: Ada Filter
  title: Graph filters in graph signal processing
  abstract: We design graph filters.
- speaker: Bob Direction
  title: Graph signal processing for networks
  abstract: We study graph signal processing. Our signals live on directed graphs.
- speaker: Cy Hodge
  title: Graph signal processing beyond graphs
  abstract: We extend graph signal processing to simplicial complexes with the Hodge theory.
- speaker: Di Tutor
  title: Graph signal processing, a tutorial
  abstract: An introduction.
- speaker: Ed Convex
  title: Convex optimization at scale
- speaker: Flo Convex
  title: Convex optimization for all
- speaker: Gus Later
  title: TBA
"""


@pytest.fixture(scope="module")
def vocab(tmp_path_factory: pytest.TempPathFactory) -> Vocabulary:
    path: Path = tmp_path_factory.mktemp("v") / "topics.ttl"
    path.write_text(VOCAB, encoding="utf-8")
    return load_vocabulary(path)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeModel:
    path: Path = tmp_path_factory.mktemp("p") / "ws.yaml"
    path.write_text(PROGRAMME, encoding="utf-8")
    return resolve([load_programme(path)], Registry.load(None))


def talks_of(model: KnowledgeModel) -> list[Talk]:
    return [model.talks[k] for k in model.events[0].talks]


def key(model: KnowledgeModel, speaker: str) -> str:
    return next(t.key for t in talks_of(model) if t.key.startswith(f"{speaker}-"))


@pytest.fixture(scope="module")
def themed(model: KnowledgeModel, vocab: Vocabulary) -> Themed:
    talks = talks_of(model)
    return lift_themes(talks, assign(talks, vocab), vocab)


def test_a_concept_on_most_talks_is_a_theme_and_a_pair_is_not(
    model: KnowledgeModel, themed: Themed
) -> None:
    assert [t.topic for t in themed.themes] == ["gsp"]  # convex optimization: two talks of six
    (theme,) = themed.themes
    assert theme.programme_talks == 6  # the TBA is not counted
    assert theme.share == pytest.approx(4 / 6)
    assert [k.split("-")[0] for k in theme.talks] == ["ada", "bob", "cy", "di"]


def test_a_talk_with_other_topics_loses_the_theme_but_not_its_evidence(
    model: KnowledgeModel, themed: Themed
) -> None:
    found = themed.assignments[key(model, "ada")]
    assert topics_of(found) == ["gf"]
    assert {a.topic for a in found if a.theme} == {"gsp"}  # the quotes stay, as the theme's


def test_a_talk_with_only_the_theme_gets_a_narrower_concept_named_below_threshold(
    model: KnowledgeModel, themed: Themed
) -> None:
    found = themed.assignments[key(model, "bob")]
    assert topics_of(found) == ["dir"]  # "directed graphs" once: weak, below the threshold
    assert all(a.confidence <= FALLBACK_CONFIDENCE for a in found if a.topic == "dir")
    assert (key(model, "bob"), "dir") in themed.replaced


def test_else_the_narrower_concept_its_words_share_flagged_for_curation(
    model: KnowledgeModel, themed: Themed
) -> None:
    (found,) = [a for a in themed.assignments[key(model, "cy")] if not a.theme]
    assert found.topic == "tsp"  # "simplicial", "complexes", "Hodge": words of its definition
    assert found.needs_curation and found.confidence == FALLBACK_CONFIDENCE
    assert found.exact in {"simplicial", "complexes", "Hodge"}


def test_else_the_talk_keeps_the_theme_flagged(model: KnowledgeModel, themed: Themed) -> None:
    found = themed.assignments[key(model, "di")]
    assert topics_of(found) == ["gsp"]
    assert all(a.needs_curation and not a.theme for a in found)
    assert themed.kept == [(key(model, "di"), "gsp")]


def test_a_kept_theme_is_proposed_for_curation_under_the_theme(
    model: KnowledgeModel, vocab: Vocabulary, themed: Themed
) -> None:
    proposals = curation(talks_of(model), vocab, themed.assignments)
    by_talk = {p.talk_key: p.broader for p in proposals}
    assert by_talk[key(model, "di")] == "gsp"  # a narrower concept is missing for it
    assert by_talk[key(model, "cy")] == "tsp"  # its guessed narrower concept, to check
    assert key(model, "ada") not in by_talk


def test_every_talk_with_topics_keeps_one(
    model: KnowledgeModel, vocab: Vocabulary, themed: Themed
) -> None:
    raw = assign(talks_of(model), vocab)
    for talk in talks_of(model):
        assert bool(topics_of(themed.assignments[talk.key])) == bool(raw[talk.key])


def test_small_programmes_and_pairs_have_no_theme(model: KnowledgeModel, vocab: Vocabulary) -> None:
    talks = talks_of(model)
    raw = assign(talks, vocab)
    two = [t for t in talks if t.key.split("-")[0] in {"ada", "bob", "ed", "flo"}]
    assert find_themes(two, raw) == []  # gsp on two talks of four: a pair, not a theme
    three = [t for t in talks if t.key.split("-")[0] in {"ada", "bob", "cy", "gus"}]
    assert find_themes(three, raw) == ["gsp"]  # on all three talks (the TBA is not counted)


def test_themes_as_rdf_validate_and_keep_the_similarity(
    model: KnowledgeModel, vocab: Vocabulary
) -> None:
    minter = Minter()
    talks = talks_of(model)
    assignments, rdf = programme_topics(model.events[0].key, talks, vocab, minter)
    graph = bind_prefixes(to_graph(model, minter))
    graph += rdf
    topics = vocabulary_graph(vocab, minter)
    graph.addN((*t, graph) for t in vocabulary_slice(topics, graph))
    event, gsp = minter.event("ws"), minter.topic("gsp")
    theme = theme_iri(minter, "ws", "gsp")
    assert (event, ns.SCHEMA.about, gsp) in graph
    assert int(graph.value(theme, ns.TG.talkCount)) == 4  # type: ignore[arg-type]
    evidence = set(graph.objects(theme, ns.PROV.wasDerivedFrom))
    assert evidence and all((e, ns.OA.hasBody, gsp) in graph for e in evidence)
    assert (minter.talk(key(model, "ada")), ns.SCHEMA.about, gsp) not in graph
    assert (minter.talk(key(model, "di")), ns.SCHEMA.about, gsp) in graph
    report = validate(graph, load_shapes())
    assert report.conforms and not [r for r in report.results if "heme" in r.shape], report.text()
    # the talk graph read back from RDF is the build's: the theme counts in both similarities
    links = {
        (str(minter.talk(x.a)), str(minter.talk(x.b))): x.weight
        for x in talk_similarity(assignments, vocab).links(0.01, None)
    }
    g = build_graph(data_from_graph(Graph() + graph), "talks", 1, None)
    back = {tuple(sorted((a, b))): d["weight"] for a, b, d in g.edges(data=True)}
    assert {p: round(w * 100) for p, w in links.items()} == back
    assert (str(minter.talk(key(model, "ada"))), str(minter.talk(key(model, "bob")))) in links


def test_the_seed_has_no_theme() -> None:
    """The seed programme (20 talks, the most common topic on 3) keeps every topic on its talks."""
    from talkgraph.build import DEFAULT_PROGRAMME, ingest

    model = resolve(ingest([DEFAULT_PROGRAMME]), Registry.load(None))
    talks = talks_of(model)
    assert find_themes(talks, assign(talks, load_vocabulary())) == []


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, vocab: Vocabulary) -> Path:
    """The workshop built by the real pipeline with the small vocabulary."""
    from talkgraph.build import build

    root = tmp_path_factory.mktemp("b")
    (root / "ws.yaml").write_text(PROGRAMME, encoding="utf-8")
    result = build([root / "ws.yaml"], out=root / "build", topics_path=Path(vocab.source))
    return result.out


def test_the_event_page_lists_its_themes_and_talk_pages_their_own_topics(built: Path) -> None:
    from flask.testing import FlaskClient

    from support.pages import BROWSER_ACCEPT, Page
    from support.web import running_app

    def get(client: FlaskClient, path: str) -> Page:
        response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
        assert response.status_code == 200, path
        return Page(response.get_data(as_text=True))

    def about(page: Page) -> set[str]:
        (found,) = [json.loads(text) for text in page.jsonld]
        return {str(item["@id"]).rsplit("/", 1)[-1] for item in found.get("about", [])}

    with running_app(built) as app:
        client = app.test_client()
        event = get(client, "/event/ws")
        talk = get(client, "/talk/ada-filter-graph-filters-in-graph-signal-processing")
        kept = get(client, "/talk/di-tutor-graph-signal-processing-a-tutorial")
    assert "Themes" in event.visible and "graph signal processing (4 talks)" in event.visible
    assert "/topic/gsp" in {h for hs in event.links.values() for h in hs}
    assert about(event) == {"gsp"}
    assert about(talk) == {"gf"}  # its own topic; the theme is the event's
    assert "Also about the theme of its programme" in talk.visible
    assert "graph signal processing — “graph signal processing” (title)" in talk.visible
    assert "Also about the theme" not in kept.visible  # its only topic is the theme itself


def test_explain_marks_the_evidence_of_a_theme(built: Path) -> None:
    graph = Graph().parse(built / "dataset.nt", format="nt")
    rows = explain(graph, Minter().talk("ada-filter-graph-filters-in-graph-signal-processing"))
    assert ("graph filters", "title", "Graph filters") in rows
    assert ("graph signal processing" + THEME_NOTE, "title", "graph signal processing") in rows


def test_theme_iri_is_a_hash_on_the_event() -> None:
    assert theme_iri(Minter(), "ws", "gsp") == URIRef(
        "http://talkgraph.localhost/event/ws#theme-gsp"
    )
