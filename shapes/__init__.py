"""The SHACL shapes (``*.ttl``), shipped as the package ``talkgraph.shapes`` (see pyproject)."""
