"""Entity resolution: parsed programmes → one resolved :class:`KnowledgeModel`.

One :class:`Person` per human (keyed by the slug of the name, so diacritic variants merge), one
:class:`Institution` per organisation (through the registry), talks and events with stable keys.
Everything is kept in first-seen order, so the same input always gives the same model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePath

from .iris import slugify, unique_slug
from .model import (
    Event,
    Institution,
    KnowledgeModel,
    Mention,
    Person,
    Programme,
    Span,
    SpeakerEntry,
    Talk,
    TalkEntry,
)
from .registry import AffiliationPart, Registry, split_affiliation

# Lower-case name particles that belong to the family name ("Ludwig van Beethoven").
# fmt: off
PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "da", "di", "del", "della", "des", "la", "le", "du",
    "dos", "das", "do", "ten", "ter", "zu", "af", "av",
})
# fmt: on
# Generational suffixes: part of the name, but neither given nor family name.
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def clean(text: str) -> str:
    """Collapse runs of whitespace and trim."""
    return " ".join(text.split())


def person_key(name: str) -> str:
    return slugify(clean(name))


def split_name(name: str) -> tuple[str | None, str | None]:
    """(given name, family name) of a display name; ``(None, None)`` for a single token.

    The family name is the last token with any lower-case particles before it; hyphenated
    parts stay together; a trailing ``Jr.``/``III`` belongs to neither part.
    """
    tokens = clean(name).split(" ")
    while len(tokens) > 2 and tokens[-1].casefold() in SUFFIXES:
        tokens = tokens[:-1]
    tokens[-1] = tokens[-1].rstrip(",")
    if len(tokens) < 2:
        return None, None
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1] in PARTICLES:
        start -= 1
    given = " ".join(tokens[:start]).rstrip(",")
    return given, " ".join(tokens[start:])


def _has_diacritics(text: str) -> bool:
    return any(ord(c) > 127 and c.isalpha() for c in text)


class _Resolver:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.model = KnowledgeModel()
        self._unknown_warned: set[str] = set()
        self._roster_affiliated: defaultdict[str, bool] = defaultdict(bool)
        self._spans: dict[int, set[Span]] = {}  # id of a spans list → its spans, as a set

    def _add_span(self, spans: list[Span], span: Span | None) -> None:
        """Append ``span`` to ``spans`` unless there (a set per list: a speaker or an institution
        mentioned thousands of times is not scanned on every mention)."""
        if span is None:
            return
        seen = self._spans.get(id(spans))
        if seen is None:
            seen = self._spans[id(spans)] = set(spans)
        if span not in seen:
            seen.add(span)
            spans.append(span)

    # -------------------------------------------------------------- people and institutions

    def person(self, mention: Mention) -> Person:
        name = clean(mention.text)
        key = person_key(name)
        person = self.model.people.get(key)
        if person is None:
            person = Person(key=key, name=name)
            self.model.people[key] = person
        elif not _has_diacritics(person.name) and _has_diacritics(name):
            person.name = name
        self._add_span(person.spans, mention.span)
        return person

    def institution_key(self, raw: str) -> str:
        entry = self.registry.lookup(raw)
        return slugify(entry.name if entry is not None else clean(raw))

    def institution(self, mention: Mention) -> Institution:
        raw = clean(mention.text)
        entry = self.registry.lookup(raw)
        key = self.institution_key(raw)
        inst = self.model.institutions.get(key)
        if inst is None:
            if entry is not None:
                inst = Institution(
                    key=key,
                    name=entry.name,
                    kind=entry.kind,
                    country=entry.country,
                    ror=entry.ror,
                    wikidata=entry.wikidata,
                    url=entry.url,
                    in_registry=True,
                )
            else:
                inst = Institution(key=key, name=raw)
            self.model.institutions[key] = inst
        if not inst.in_registry and key not in self._unknown_warned:
            self._unknown_warned.add(key)
            self.model.warnings.append(
                f"institution {raw!r} is not in the registry{_where(mention.span)}"
            )
        if raw != inst.name and raw not in inst.alternate_names:
            inst.alternate_names.append(raw)
        self._add_span(inst.spans, mention.span)
        return inst

    def describe(self, person: Person, entry: SpeakerEntry) -> None:
        """A bio the programme gives becomes the person's description (the first one wins)."""
        if entry.bio is not None and entry.bio.text.strip() and not person.description:
            person.description = entry.bio.text.strip()

    def affiliate(self, person: Person, entry: SpeakerEntry, *, from_roster: bool) -> None:
        """Record ``entry``'s institution as the affiliation; a roster's wins over talk details.

        A joint affiliation ("University of X and MIT", "CNRS, ENS") is several institutions:
        the first is the affiliation, the others are added; a country the text appends
        ("University of Toronto, Canada") is the institution's country unless the registry
        records one.
        """
        self.describe(person, entry)
        mention = entry.institution
        if mention is None or not mention.text.strip():
            return
        parts = split_affiliation(mention.text, self.registry)
        extra: list[AffiliationPart] = []
        if parts and (len(parts) > 1 or parts[0].country or parts[0].name != clean(mention.text)):
            mention = Mention(parts[0].name, mention.span)
            extra = parts
        key = self.institution_key(mention.text)
        current = person.affiliation
        if current is None or current == key:
            person.affiliation = self.institution(mention).key
            self._roster_affiliated[person.key] |= from_roster
            self._joint(person, extra, mention.span)
            return
        if from_roster and not self._roster_affiliated[person.key]:
            dropped = self.model.institutions[current].name
            person.affiliation = self.institution(mention).key
            self._roster_affiliated[person.key] = True
            reason = "the roster's"
        else:
            dropped = clean(mention.text)
            reason = "the roster's" if self._roster_affiliated[person.key] else "the first"
        kept = self.model.institutions[person.affiliation or current].name
        self.model.warnings.append(
            f"{person.name}: institutions {kept!r} and {dropped!r} disagree; keeping {reason}, "
            f"{kept!r}{_where(mention.span)}"
        )

    # -------------------------------------------------------------- programmes

    def programme(self, programme: Programme) -> None:
        key = unique_slug(_event_slug(programme), (e.key for e in self.model.events))
        event = Event(key=key, info=programme.event, source=programme.source)
        self.model.events.append(event)
        self.model.warnings.extend(programme.notes)
        for entry in programme.roster:
            person = self.person(entry.name)
            person.on_roster = True
            self.affiliate(person, entry, from_roster=True)
            if person.key not in event.performers:
                event.performers.append(person.key)
        for position, talk_entry in enumerate(programme.talks, 1):
            talk = self.talk(talk_entry, position)
            event.talks.append(talk.key)

    def talk(self, entry: TalkEntry, position: int) -> Talk:
        speaker = self.person(entry.speaker.name)
        self.affiliate(speaker, entry.speaker, from_roster=False)
        title = clean(entry.title.text)
        base = f"{speaker.key}-{slugify(title)}"
        key = unique_slug(base, self.model.talks)
        talk = Talk(
            key=key,
            title=title,
            speaker=speaker.key,
            abstract=entry.abstract.text.strip() if entry.abstract is not None else None,
            placeholder=entry.placeholder,
            title_span=entry.title.span,
            abstract_span=entry.abstract.span if entry.abstract is not None else None,
            position=position,
        )
        self.schedule(talk, entry, speaker)
        for mention in entry.coauthors:
            coauthor = self.person(mention)
            if coauthor.key not in talk.speakers and coauthor.key not in talk.coauthors:
                talk.coauthors.append(coauthor.key)
        seen: set[str] = set()
        for ref in entry.citations:
            if ref.arxiv_id not in seen:
                seen.add(ref.arxiv_id)
                talk.citations.append(ref)
        self.model.talks[key] = talk
        return talk

    def schedule(self, talk: Talk, entry: TalkEntry, speaker: Person) -> None:
        """What exports add: more speakers, paper authors, ids, times, room, track, session."""
        _identify(speaker, entry.speaker)
        for other in entry.more_speakers:
            person = self.person(other.name)
            self.affiliate(person, other, from_roster=False)
            _identify(person, other)
            if person.key not in talk.speakers:
                talk.more_speakers.append(person.key)
        for author in entry.authors:
            person = self.person(author.name)
            self.affiliate(person, author, from_roster=False)
            _identify(person, author)
            if person.key not in talk.speakers and person.key not in talk.coauthors:
                talk.coauthors.append(person.key)
        talk.start, talk.end = entry.start, entry.end
        talk.room, talk.track, talk.session = entry.room, entry.track, entry.session
        talk.identifier = entry.identifier

    def _joint(self, person: Person, parts: Sequence[AffiliationPart], span: Span | None) -> None:
        for n, part in enumerate(parts):
            inst = self.institution(Mention(part.name, span))
            if part.country and inst.country is None:
                inst.country = part.country
            if n and inst.key != person.affiliation and inst.key not in person.more_affiliations:
                person.more_affiliations.append(inst.key)

    def finish(self) -> KnowledgeModel:
        used: set[str | None] = set()
        for person in self.model.people.values():
            person.given_name, person.family_name = split_name(person.name)
            used.add(person.affiliation)
            used.update(person.more_affiliations)
        # an institution given only in a disagreement that lost is nobody's affiliation
        for key in [k for k in self.model.institutions if k not in used]:
            del self.model.institutions[key]
        return self.model


def _identify(person: Person, entry: SpeakerEntry) -> None:
    if entry.identifier and entry.identifier not in person.identifiers:
        person.identifiers.append(entry.identifier)


def _where(span: Span | None) -> str:
    return f" ({span.file}:{span.line})" if span is not None else ""


def _event_slug(programme: Programme) -> str:
    info = programme.event
    if info.identifier and info.identifier.strip():
        return slugify(info.identifier)
    if info.name and info.name.strip():
        return slugify(info.name)
    return slugify(PurePath(programme.source).stem)


def resolve(programmes: Sequence[Programme], registry: Registry) -> KnowledgeModel:
    """Resolve the people, institutions, talks and events of ``programmes`` into one model."""
    resolver = _Resolver(registry)
    for programme in programmes:
        resolver.programme(programme)
    return resolver.finish()
