"""The dataset description: VoID, DCAT distributions with checksums, PROV."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from rdflib import Graph, Literal, URIRef

from support.dumps import dump
from talkgraph import vocab as v
from talkgraph.errors import ConfigError
from talkgraph.iris import Minter
from talkgraph.rdf import to_graph
from talkgraph.void import Distribution, class_slug, describe, statistics
from test_rdf_golden import assert_isomorphic, load_golden
from test_resolve_crafted import crafted_model

CREATED = datetime(2024, 5, 2, 10, 30, tzinfo=UTC)
SHA = hashlib.sha256(b"test").hexdigest()


def example_description(
    licence: str | None = "https://creativecommons.org/licenses/by/4.0/",
    distributions: list[Distribution] | None = None,
) -> Graph:
    return describe(
        Minter(),
        title="Crafted Workshop",
        source_files=["crafted.txt"],
        created=CREATED,
        triples=93,
        class_counts={v.SCHEMA.Person: 3, v.FOAF.Person: 3},
        distributions=(
            [Distribution("turtle", "talkgraph.ttl", 4242, SHA)]
            if distributions is None
            else distributions
        ),
        licence=licence,
        example_resources=[URIRef("http://talkgraph.localhost/person/zoe-van-der-berg")],
        version="0.1.0",
        entities=12,
    )


def test_description_matches_golden() -> None:
    assert_isomorphic(example_description(), load_golden("description.ttl"))


def test_no_licence_no_licence_triple() -> None:
    graph = example_description(licence=None)
    assert not list(graph.triples((None, v.DCTERMS.license, None)))


def test_checksums_and_sizes_of_real_files() -> None:
    graph = to_graph(crafted_model(), Minter())
    dists = []
    for fmt, name in (("turtle", "g.ttl"), ("nt", "g.nt"), ("jsonld", "g.jsonld")):
        data = dump(graph, fmt)
        dists.append(Distribution(fmt, name, len(data), hashlib.sha256(data).hexdigest()))
    desc = example_description(distributions=dists)
    minter = Minter()
    for dist in dists:
        node = minter.distribution(dist.fmt)
        size = desc.value(node, v.DCAT.byteSize)
        assert size == Literal(dist.byte_size, datatype=v.XSD.nonNegativeInteger)
        checksum = desc.value(node, v.SPDX.checksum)
        assert checksum == URIRef(f"{node}-checksum")
        assert str(desc.value(checksum, v.SPDX.checksumValue)) == dist.sha256
        assert desc.value(node, v.DCAT.downloadURL) == minter.download(dist.filename)
        assert (minter.dataset, v.VOID.dataDump, minter.download(dist.filename)) in desc
    media = {str(o) for o in desc.objects(None, v.DCTERMS["format"])}
    assert media == {"text/turtle", "application/n-triples", "application/ld+json"}


def test_statistics_count_typed_entities_once() -> None:
    graph = to_graph(crafted_model(), Minter())
    stats = statistics(graph)
    assert stats.triples == len(graph)
    assert stats.class_counts[v.SCHEMA.Person] == 3
    assert stats.class_counts[v.FOAF.Person] == 3
    assert stats.class_counts[v.CONF.Talk] == 3
    # 1 event + 3 talks + 3 people + 2 institutions + 1 address + 1 arXiv work
    assert stats.entities == 11


def test_class_slugs() -> None:
    assert class_slug(v.SCHEMA.CollegeOrUniversity) == "schema-collegeoruniversity"
    assert class_slug(URIRef("http://example.org/ns/Thing")) == "http-example-org-ns-thing"


def test_bad_distribution_is_rejected() -> None:
    with pytest.raises(ValueError):
        Distribution("turtle", "x.ttl", 1, "not-a-digest")
    with pytest.raises(ConfigError):
        Distribution("n3", "x.n3", 1, SHA)
