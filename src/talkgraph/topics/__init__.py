"""Research topics: a SKOS vocabulary, topic assignment with evidence, and curation aids."""

from __future__ import annotations

from .annotate import assignments_graph, explain, find_talk, vocabulary_graph
from .matcher import Assignment, Matcher, assign, topics_of
from .suggest import Suggestion, suggest
from .vocabulary import Concept, Vocabulary, load_vocabulary

__all__ = [
    "Assignment",
    "Concept",
    "Matcher",
    "Suggestion",
    "Vocabulary",
    "assign",
    "assignments_graph",
    "explain",
    "find_talk",
    "load_vocabulary",
    "suggest",
    "topics_of",
    "vocabulary_graph",
]
