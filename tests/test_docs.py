"""Every citation of the design and domain notes (`docs/rules.md §2.1`) in the code, the
templates and the notes themselves names a file and a numbered section that exist, so a
renumbered section cannot leave comments pointing nowhere."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
IGNORED = {".venv", ".git", "var", "node_modules", "test-artifacts", "build"}
CITATION = re.compile(
    r"(?:docs/)?\b(rules|definitions|data-model|architecture|README)\.md\b\)?"
    r"(?:\s*§(\d+(?:\.\d+)?)(?:[–-](\d+(?:\.\d+)?))?)?"
)


def _sections(name: str) -> set[str]:
    """The numbers of the file's sections: "## 2. Visits" → 2, "### 2.1 …" → 2.1."""
    text = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", text, re.MULTILINE))


def _sources():
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in IGNORED or path.suffix not in {".py", ".html", ".md"}:
            continue
        if path.suffix == ".md" and parts[0] != "docs":
            continue  # READMEs of the repository and of bench cite docs/ only as files
        yield path


def test_every_cited_section_exists():
    broken = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for match in CITATION.finditer(text):
            name, first, last = match.groups()
            in_docs = path.parent == DOCS
            if not match.group(0).startswith("docs/") and not in_docs:
                continue  # another project's README.md, not ours
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            if not (DOCS / f"{name}.md").exists():
                broken.append(f"{where}: docs/{name}.md does not exist")
                continue
            for number in filter(None, (first, last)):
                if number not in _sections(name):
                    broken.append(f"{where}: docs/{name}.md has no §{number}")
    assert not broken, "\n".join(broken)


def test_the_code_cites_no_document_outside_the_repository():
    outside = []
    for path in _sources():
        if path.suffix == ".md":
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\b(DESIGN|DOMAIN)(\.md)?\s*§|\b(DESIGN|DOMAIN)\.md", text):
            outside.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not outside, "cite docs/ instead:\n" + "\n".join(outside)
