"""Turn two public programme websites into talkgraph structured YAML (tests/data/topics_gold/).

Run once, by hand, on bare git mirrors of the sources (see tests/data/topics_gold/SOURCE.md)::

    python bench/topics_collect.py /work/.mirror tests/data/topics_gold/programmes

* ``jlindbloom/dartmouth-acms`` (MIT): ``seminar_pages/*.qmd``, one programme per term;
* ``shreyasvinaya/gspworkshop2025.github.io`` (MIT): the plenary talks of the Graph Signal
  Processing Workshops 2023 and 2024 (``_pages/schedule_23.md``, ``_pages/schedule_24.md``).

Only the title, the speaker, the institution and the abstract are kept; links, dates and slides
are dropped. A talk without an abstract is left out.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

TERMS = {"F": "Fall", "W": "Winter", "S": "Spring"}


def _git(mirror: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={mirror}", *args], check=True, capture_output=True, text=True
    ).stdout


def _plain(text: str) -> str:
    text = re.sub(r"\[\[slides\]\]\([^)]*\)", "", text)  # slide links
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links -> their text
    return " ".join(text.replace("**", "").split())


def acms(mirror: Path) -> dict[str, list[dict[str, str]]]:
    terms: dict[str, list[dict[str, str]]] = {}
    for name in sorted(_git(mirror, "ls-tree", "--name-only", "HEAD", "seminar_pages/").split()):
        if not name.endswith(".qmd"):
            continue
        text = _git(mirror, "show", f"HEAD:{name}")
        title = re.search(r'^title:\s*"?(.*?)"?\s*$', text, re.M)
        speaker = re.search(r"^\*\*Speaker:\*\*\s*(.*)$", text, re.M)
        abstract = re.search(r"^\*\*Abstract:\*\*\s*(.*)", text, re.M | re.S)
        term = re.search(r"([FWS])(\d\d)\.qmd$", name)
        if not (title and speaker and abstract and term):
            continue
        line = _plain(speaker.group(1))
        inst = re.search(r"\(([^()]*)\)\s*$", line)
        talk = {
            "speaker": line[: inst.start()].strip() if inst else line,
            "title": _plain(title.group(1)),
        }
        if inst:
            talk["institution"] = inst.group(1).strip()
        talk["abstract"] = abstract.group(1).strip()
        key = f"acms-{TERMS[term.group(1)].lower()}-20{term.group(2)}"
        terms.setdefault(key, []).append(talk)
    return terms


def gsp(mirror: Path, page: str) -> list[dict[str, str]]:
    text = _git(mirror, "show", f"HEAD:{page}")
    talks = []
    for block in re.split(r'^<p id="[^"]*"></p>\s*$', text, flags=re.M)[1:]:
        who = re.search(r"^(?:##### )?\[?\*\*(.+?)\*\*\]?(?:\([^)]*\))?,?[ \t]*(.*)$", block, re.M)
        title = re.search(r"^\*\*Title\*\*:\s*(.*)$", block, re.M)
        abstract = re.search(r"^\*\*Abstract\*\*:\s*(.*?)(?:\n\s*\n|\Z)", block, re.M | re.S)
        if not (who and title and abstract):
            continue
        talk = {"speaker": who.group(1).strip(), "title": _plain(title.group(1))}
        if who.group(2).strip():
            talk["institution"] = _plain(who.group(2))
        talk["abstract"] = abstract.group(1).strip()
        talks.append(talk)
    return talks


class _Dumper(yaml.SafeDumper):
    pass


def _block(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value or len(value) > 100 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _block)


def write(out: Path, key: str, name: str, talks: list[dict[str, str]]) -> None:
    for talk in talks:
        talk["abstract"] = "\n".join(line.rstrip() for line in talk["abstract"].splitlines()) + "\n"
    doc = {"event": {"name": name, "identifier": key}, "talks": talks}
    (out / f"{key}.yaml").write_text(
        yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    print(f"{key}: {len(talks)} talks")


def main(mirrors: Path, out: Path) -> None:
    for key, talks in acms(mirrors / "jlindbloom+dartmouth-acms" / "repo").items():
        _, term, year = key.split("-")
        write(
            out,
            key,
            f"Dartmouth Applied and Computational Math Seminar, {term.title()} {year}",
            talks,
        )
    repo = mirrors / "shreyasvinaya+gspworkshop2025.github.io" / "repo"
    for year in ("23", "24"):
        write(
            out,
            f"gsp-20{year}",
            f"Graph Signal Processing Workshop 20{year} (plenary talks)",
            gsp(repo, f"_pages/schedule_{year}.md"),
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
