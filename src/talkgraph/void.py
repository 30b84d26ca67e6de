"""The dataset description: VoID statistics, DCAT distributions with checksums, PROV build.

``{base}dataset`` describes what a build published; every node is an IRI on it (no blank
nodes): ``#class-{slug}`` partitions, ``#{fmt}`` distributions, ``#{fmt}-checksum``,
``#build`` and ``#software``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from rdflib import Graph, Literal, URIRef

from .formats import get_format
from .iris import Minter, slugify, unique_slug
from .vocab import (
    DCAT,
    DCTERMS,
    PROV,
    RDF,
    SCHEMA,
    SPDX,
    TG,
    VOID,
    XSD,
    bind_prefixes,
    prefixed,
)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Distribution:
    """One published file of the dataset."""

    fmt: str  # a name in talkgraph.formats.FORMATS
    filename: str
    byte_size: int
    sha256: str  # lower-case hex digest

    def __post_init__(self) -> None:
        get_format(self.fmt)
        if self.byte_size < 0:
            raise ValueError(f"byte size must not be negative: {self.byte_size}")
        if not _HEX64.match(self.sha256):
            raise ValueError(f"not a lower-case hex SHA-256 digest: {self.sha256!r}")


@dataclass(frozen=True)
class FileDistribution:
    """A published file that is not an RDF dump (a schedule): where it is served, its type."""

    slug: str  # the node is {base}dataset#{slug}
    url: str  # absolute download address
    media_type: str  # e.g. text/calendar
    byte_size: int
    sha256: str
    title: str
    conforms_to: str | None = None  # the specification the file follows

    def __post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9-]+$", self.slug):
            raise ValueError(f"not a distribution slug: {self.slug!r}")
        if not _HEX64.match(self.sha256):
            raise ValueError(f"not a lower-case hex SHA-256 digest: {self.sha256!r}")


@dataclass(frozen=True)
class Statistics:
    """VoID numbers of a graph."""

    triples: int
    entities: int  # distinct IRI subjects that have a type
    class_counts: dict[URIRef, int]  # class → distinct IRI subjects of that type


def statistics(graph: Graph) -> Statistics:
    """Count triples, typed entities and the instances of each class (sorted by class IRI)."""
    members: dict[URIRef, set[URIRef]] = {}
    for s, _, o in graph.triples((None, RDF.type, None)):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            members.setdefault(o, set()).add(s)
    entities = set().union(*members.values()) if members else set()
    counts = {cls: len(members[cls]) for cls in sorted(members)}
    return Statistics(len(graph), len(entities), counts)


def class_slug(cls: URIRef) -> str:
    """``schema:Person`` → ``schema-person``; an IRI under no known prefix → its slug."""
    short = prefixed(str(cls))
    return slugify(short.replace(":", "-", 1) if short else str(cls))


def describe(
    minter: Minter,
    *,
    title: str,
    source_files: list[str],
    created: datetime,
    triples: int,
    class_counts: Mapping[URIRef, int],
    distributions: list[Distribution],
    licence: str | None,
    example_resources: Iterable[URIRef],
    version: str,
    entities: int | None = None,
    files: Iterable[FileDistribution] = (),
    subsets: Iterable[tuple[URIRef, int, str]] = (),
) -> Graph:
    """The description of the dataset as a graph of its own.

    ``entities`` (distinct typed resources, see :func:`statistics`) is stated as
    ``void:entities`` when given; it cannot be derived from ``class_counts`` because one
    resource can have several types.
    """
    graph = bind_prefixes(Graph())
    ds = minter.dataset

    def add(s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        graph.add((s, p, o))

    add(ds, RDF.type, VOID.Dataset)
    add(ds, RDF.type, DCAT.Dataset)
    add(ds, DCTERMS.title, Literal(title))
    for name in source_files:
        add(ds, DCTERMS.source, Literal(name))
    add(ds, DCTERMS.created, Literal(created.isoformat(), datatype=XSD.dateTime))
    if licence:
        add(ds, DCTERMS.license, URIRef(licence))
    add(ds, VOID.triples, Literal(triples))
    if entities is not None:
        add(ds, VOID.entities, Literal(entities))
    taken: list[str] = []
    for cls in sorted(class_counts):
        slug = unique_slug(class_slug(cls), taken)
        taken.append(slug)
        part = minter.fragment(ds, f"class-{slug}")
        add(ds, VOID.classPartition, part)
        add(part, VOID["class"], cls)
        add(part, VOID.entities, Literal(class_counts[cls]))
    for resource in example_resources:
        add(ds, VOID.exampleResource, resource)
    add(ds, VOID.sparqlEndpoint, minter.sparql_endpoint)
    for subset, size, subset_title in subsets:  # named graphs derived by the build
        # a void:Dataset by the range of void:subset; not typed, so the dataset stays the one
        # subject typed void:Dataset
        add(ds, VOID.subset, subset)
        add(subset, DCTERMS.title, Literal(subset_title))
        add(subset, VOID.triples, Literal(size))
        add(subset, VOID.vocabulary, URIRef(str(TG._NS)))
    for dist in distributions:
        _distribution(graph, minter, dist)
    for file in files:
        _file_distribution(graph, minter, file)
    _provenance(graph, minter, created, version)
    return graph


def _distribution(graph: Graph, minter: Minter, dist: Distribution) -> None:
    spec = get_format(dist.fmt)
    ds = minter.dataset
    node = minter.distribution(dist.fmt)
    download = minter.download(dist.filename)
    for triple in (
        (ds, DCAT.distribution, node),
        (ds, VOID.dataDump, download),
        (node, RDF.type, DCAT.Distribution),
        (node, DCAT.mediaType, URIRef(spec.iana_iri)),
        (node, DCTERMS["format"], Literal(spec.media_type)),
        (node, DCAT.downloadURL, download),
    ):
        graph.add(triple)
    _size_and_checksum(graph, node, dist.byte_size, dist.sha256)


def _size_and_checksum(graph: Graph, node: URIRef, byte_size: int, sha256: str) -> None:
    """A distribution's ``dcat:byteSize`` and SPDX SHA-256 checksum (node ``{node}-checksum``)."""
    checksum = URIRef(f"{node}-checksum")
    for triple in (
        (node, DCAT.byteSize, Literal(byte_size, datatype=XSD.nonNegativeInteger)),
        (node, SPDX.checksum, checksum),
        (checksum, RDF.type, SPDX.Checksum),
        (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
        (checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)),
    ):
        graph.add(triple)


def _file_distribution(graph: Graph, minter: Minter, file: FileDistribution) -> None:
    ds = minter.dataset
    node = minter.fragment(ds, file.slug)
    media = file.media_type.split(";")[0].strip()
    for triple in (
        (ds, DCAT.distribution, node),
        (node, RDF.type, DCAT.Distribution),
        (node, DCTERMS.title, Literal(file.title)),
        (node, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")),
        (node, DCTERMS["format"], Literal(file.media_type)),
        (node, DCAT.downloadURL, URIRef(file.url)),
    ):
        graph.add(triple)
    _size_and_checksum(graph, node, file.byte_size, file.sha256)
    if file.conforms_to:
        graph.add((node, DCTERMS.conformsTo, URIRef(file.conforms_to)))


def _provenance(graph: Graph, minter: Minter, created: datetime, version: str) -> None:
    build = minter.fragment(minter.dataset, "build")
    software = minter.fragment(minter.dataset, "software")
    for triple in (
        (minter.dataset, PROV.wasGeneratedBy, build),
        (build, RDF.type, PROV.Activity),
        (build, PROV.endedAtTime, Literal(created.isoformat(), datatype=XSD.dateTime)),
        (build, PROV.wasAssociatedWith, software),
        (software, RDF.type, PROV.SoftwareAgent),
        (software, RDF.type, SCHEMA.SoftwareApplication),
        (software, SCHEMA.name, Literal("talkgraph")),
        (software, SCHEMA.softwareVersion, Literal(version)),
    ):
        graph.add(triple)
