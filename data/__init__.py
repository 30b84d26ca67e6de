"""Run-time data shipped as the package ``talkgraph.data`` (see pyproject.toml).

``topics.ttl`` (topic vocabulary), ``institutions.yaml`` (institution registry), the seed
``workshop-programme.txt`` and ``examples/``; read with :mod:`importlib.resources`.
"""
