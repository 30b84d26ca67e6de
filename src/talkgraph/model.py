"""The domain model: what a programme says, before and after entity resolution.

Two layers:

* the *parsed* layer (:class:`Programme`, :class:`SpeakerEntry`, :class:`TalkEntry`) is what a
  programme file says, with the place of every fact (:class:`Span`);
* the *resolved* layer (:class:`KnowledgeModel`) has one :class:`Person` per human, one
  :class:`Institution` per organisation, and talks that point at them by key.

Nothing here imports rdflib: the RDF mapping depends on the model, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """Where a fact came from: file, 1-based line, 0-based character span within that line."""

    file: str
    line: int
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.start}-{self.end}"


@dataclass(frozen=True)
class Mention:
    """A piece of text at a place: a name, an institution, a title."""

    text: str
    span: Span | None = None


@dataclass(frozen=True)
class ArxivRef:
    """An arXiv identifier cited in an abstract (``2101.12699``, ``math/0601001``)."""

    arxiv_id: str
    version: str | None = None
    span: Span | None = None

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


@dataclass(frozen=True)
class SpeakerEntry:
    """A speaker as a programme lists them (roster or talk details)."""

    name: Mention
    institution: Mention | None = None
    identifier: str | None = None  # the id a conference tool gives this person (frab, pretalx…)
    bio: Mention | None = None  # a description of the person the page gives ("Bio: …")


@dataclass(frozen=True)
class TalkEntry:
    """One talk as the programme gives it."""

    speaker: SpeakerEntry
    title: Mention
    abstract: Mention | None = None
    placeholder: bool = False
    coauthors: tuple[Mention, ...] = ()
    citations: tuple[ArxivRef, ...] = ()
    # What conference tools' exports carry (all optional; see docs/data-model.md):
    more_speakers: tuple[SpeakerEntry, ...] = ()  # speakers after the first, in source order
    authors: tuple[SpeakerEntry, ...] = ()  # paper authors who do not speak, with institutions
    start: str | None = None  # ISO 8601 date-time, with its UTC offset when the source gives one
    end: str | None = None
    room: str | None = None
    track: str | None = None
    session: str | None = None
    identifier: str | None = None  # the talk's id in the source (frab guid, Indico id, UID)

    @property
    def speakers(self) -> tuple[SpeakerEntry, ...]:
        """Every speaker of the talk, the first one first."""
        return (self.speaker, *self.more_speakers)


@dataclass(frozen=True)
class EventInfo:
    """What an event sidecar (or the structured format) says about the event itself.

    Everything is optional: what no source gives stays ``None``; it is never guessed.
    """

    name: str | None = None
    start_date: str | None = None  # ISO 8601 date or date-time
    end_date: str | None = None
    location: str | None = None
    url: str | None = None
    description: str | None = None
    organisers: tuple[str, ...] = ()
    licence: str | None = None  # an IRI, e.g. https://creativecommons.org/licenses/by/4.0/
    identifier: str | None = None  # a slug chosen by the organiser for the event IRI


@dataclass(frozen=True)
class Programme:
    """A parsed programme: a roster and talks, with the file they came from."""

    source: str  # file name as given to the parser
    roster: tuple[SpeakerEntry, ...] = ()
    talks: tuple[TalkEntry, ...] = ()
    event: EventInfo = field(default_factory=EventInfo)
    roster_heading: str | None = None
    # what a reader or importer skipped or was unsure of, and why ("file:line: …"): a report,
    # not content (so not part of equality)
    notes: tuple[str, ...] = field(default=(), compare=False)


# --------------------------------------------------------------------------- resolved layer


@dataclass
class Institution:
    key: str  # slug, stable
    name: str  # canonical name
    kind: str = "organization"  # university | company | institute | organization
    country: str | None = None  # ISO 3166-1 alpha-2, only when the registry records it
    alternate_names: list[str] = field(default_factory=list)
    ror: str | None = None
    wikidata: str | None = None
    url: str | None = None
    in_registry: bool = False
    spans: list[Span] = field(default_factory=list)


@dataclass
class Person:
    key: str  # slug, stable
    name: str
    given_name: str | None = None
    family_name: str | None = None
    affiliation: str | None = None  # institution key
    more_affiliations: list[str] = field(default_factory=list)  # joint affiliations, keys
    on_roster: bool = False
    description: str | None = None  # a bio the programme gives
    orcid: str | None = None
    spans: list[Span] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)  # ids conference tools give them


@dataclass
class Talk:
    key: str
    title: str
    speaker: str  # person key
    abstract: str | None = None
    placeholder: bool = False
    coauthors: list[str] = field(default_factory=list)  # person keys
    citations: list[ArxivRef] = field(default_factory=list)
    title_span: Span | None = None
    abstract_span: Span | None = None
    position: int = 0  # order in the programme
    more_speakers: list[str] = field(default_factory=list)  # person keys after ``speaker``
    start: str | None = None  # ISO 8601 date-time (with offset when known)
    end: str | None = None
    room: str | None = None
    track: str | None = None
    session: str | None = None
    identifier: str | None = None

    @property
    def speakers(self) -> list[str]:
        """Every speaker's person key, the first one first."""
        return [self.speaker, *self.more_speakers]


@dataclass
class Event:
    key: str
    info: EventInfo
    source: str
    talks: list[str] = field(default_factory=list)  # talk keys in programme order
    performers: list[str] = field(default_factory=list)  # roster person keys


@dataclass
class KnowledgeModel:
    """The resolved model of one or more programmes."""

    events: list[Event] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    institutions: dict[str, Institution] = field(default_factory=dict)
    talks: dict[str, Talk] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
