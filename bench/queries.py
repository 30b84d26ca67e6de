"""The fixed query mix, with its parameters picked from the data (not from the seed)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX conf: <https://w3id.org/scholarlydata/ontology/conference-ontology.owl#>
"""


@dataclass(frozen=True)
class Query:
    name: str
    sparql: str
    graph: bool = False  # CONSTRUCT/DESCRIBE: ask for N-Triples, else SPARQL JSON
    interactive: bool = True  # part of the throughput mix (the full dump is not)


def _one(store: ox.Store, sparql: str) -> str:
    for row in store.query(PREFIXES + sparql):  # type: ignore[union-attr]
        return str(row[0].value)
    raise ValueError(f"no parameter found for: {sparql}")


def pick_parameters(nt_file: str) -> dict[str, str]:
    """A prolific speaker, a topic with narrower topics and many talks, and a talk."""
    store = ox.Store()
    store.bulk_load(path=nt_file, format=ox.RdfFormat.N_TRIPLES)
    return {
        "speaker": _one(
            store,
            "SELECT ?p WHERE { ?t schema:performer ?p . ?t a conf:Talk } "
            "GROUP BY ?p ORDER BY DESC(COUNT(?t)) STR(?p) LIMIT 1",
        ),
        "topic": _one(
            store,
            "SELECT ?top WHERE { ?n skos:broader ?top . ?t schema:about ?n } "
            "GROUP BY ?top ORDER BY DESC(COUNT(?t)) STR(?top) LIMIT 1",
        ),
        "talk": _one(
            store,
            "SELECT ?t WHERE { ?t a conf:Talk ; schema:description ?d } ORDER BY STR(?t) LIMIT 1",
        ),
    }


def mix(params: dict[str, str]) -> list[Query]:
    """The queries, in the order they are reported."""
    speaker, topic, talk = params["speaker"], params["topic"], params["talk"]
    return [
        Query(
            "speaker's talks",
            f"SELECT ?talk ?title WHERE {{ ?talk schema:performer <{speaker}> ; a conf:Talk ; "
            "schema:name ?title } ORDER BY ?title",
        ),
        Query(
            "talks under topic (broader*)",
            f"SELECT DISTINCT ?talk WHERE {{ ?topic skos:broader* <{topic}> . "
            "?talk schema:about ?topic }",
        ),
        Query(
            "co-topic pairs",
            "SELECT ?a ?b (COUNT(DISTINCT ?talk) AS ?n) WHERE { ?talk schema:about ?a, ?b . "
            "FILTER(STR(?a) < STR(?b)) } GROUP BY ?a ?b ORDER BY DESC(?n) ?a ?b LIMIT 50",
        ),
        Query(
            "institutions by speakers",
            "SELECT ?inst ?name (COUNT(DISTINCT ?p) AS ?n) WHERE { ?t a conf:Talk ; "
            "schema:performer ?p . ?p schema:affiliation ?inst . ?inst schema:name ?name } "
            "GROUP BY ?inst ?name ORDER BY DESC(?n) ?name LIMIT 50",
        ),
        Query(
            "title text filter",
            "SELECT ?talk ?title WHERE { ?talk a conf:Talk ; schema:name ?title . "
            'FILTER(CONTAINS(LCASE(?title), "learning") && REGEX(?title, "^[A-Z]")) } '
            "ORDER BY ?talk LIMIT 100",
        ),
        Query("describe a talk", f"DESCRIBE <{talk}>", graph=True),
        Query(
            "full dump",
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            graph=True,
            interactive=False,
        ),
    ]


def full_text(query: Query) -> str:
    return PREFIXES + query.sparql


#: A query that runs for seconds at every scale (a three-hop path count): the "heavy query"
#: running while cheap ones are measured.  Each run gets its own comment, so no cache answers it.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?b ?q ?c . ?c ?r ?d }"


def heavy_text(run: int) -> str:
    return f"{PREFIXES}{HEAVY}\n# heavy run {run}\n"


def light(queries: list[Query]) -> list[Query]:
    """The interactive mix without its one aggregate over all talks (co-topic pairs)."""
    return [q for q in queries if q.interactive and q.name != "co-topic pairs"]
