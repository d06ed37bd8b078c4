"""Tests of the textbook site's content: Chapter 5, the home page, the sim catalogue, the README.

How they work (no browser): the chapter's Markdown is rendered with the very Markdown extensions
listed in mkdocs.yml (the renderer MkDocs itself uses), and the checks read the resulting HTML:

* faithfulness: every sentence of the user's seed text
  (``tests/data/chapter-05-key-value-stores.txt``, or ``$CHAPTER_SEED``) appears, in order,
  in the chapter's rendered text. The seed is plain text flattened from a richer original, so a few
  known flattening artefacts are repaired before comparing (see ``SEED_FIXES``); nothing else may
  differ apart from Markdown markup and whitespace;
* the two flattened tables are real ``<table>`` elements with exactly the seed's cells;
* the callouts are admonitions; the three "Diagram:" blocks have their heading, an iframe whose
  height is the sim's ``// CANVAS_HEIGHT: N`` + 2 and the full spec in a collapsed ``<details>``;
* the 12 concepts link to anchors that exist;
* every ``sims/<id>/metadata.json`` validates against
  ``tests/schemas/microsim-metadata.schema.json``;
* ``mkdocs build --strict`` succeeds, and the built HTML has the anchors, iframe targets and
  screenshots the pages point to.

Run just these: ``.venv/bin/pytest tests/test_docs.py``.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import markdown
import pytest
from mkdocs.utils import yaml_load

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_MD = ROOT / "docs" / "chapters" / "05-key-value-stores" / "index.md"
SIMS_INDEX_MD = ROOT / "docs" / "sims" / "index.md"
HOME_MD = ROOT / "docs" / "index.md"
README = ROOT / "README.md"
SCHEMA = ROOT / "tests" / "schemas" / "microsim-metadata.schema.json"
# The user's chapter text, as given (a verbatim copy lives in tests/data/; CHAPTER_SEED overrides).
SEED = Path(
    os.environ.get("CHAPTER_SEED", ROOT / "tests" / "data" / "chapter-05-key-value-stores.txt")
)

_hook_spec = importlib.util.spec_from_file_location("build_hook", ROOT / "hooks/build_assets.py")
assert _hook_spec and _hook_spec.loader
build_hook = importlib.util.module_from_spec(_hook_spec)
_hook_spec.loader.exec_module(build_hook)

SIM_IDS = ["hash-table-lookup", "cache-eviction-simulator", "cache-failure-modes"]
CONSOLE = "redis-console"  # not one of the seed's specified sims: the Redis console
SPEC_CANVAS_HEIGHTS = {  # CANVAS_HEIGHT as the user's specs state it
    "hash-table-lookup": 440,
    "cache-eviction-simulator": 480,
    "cache-failure-modes": 500,
}

# Known artefacts of flattening the original chapter to plain text, and their repair. Each pair is
# (text in the seed, the same words as the chapter renders them).
SEED_FIXES: list[tuple[str, str]] = [
    # Inline code lost its spaces: `popular_key:1` through `popular_key:N`.
    ("popular_key:1throughpopular_key:N", "popular_key:1 through popular_key:N"),
    # The spec header lost the break between the sim-id and the library field.
    ("**Library:**", " **Library:**"),
    # The ATAM points' lead-ins are the titles of their admonitions (the colon becomes the box).
    ("consistency vs. throughput: ", "consistency vs. throughput "),
    ("the query expressiveness wall: ", "the query expressiveness wall "),
    # The specs' status, updated where the sim is built (the original's "Specified" is kept).
    ("**Status:** Specified", "**Status:** Specified (now built: the sim above runs it)"),
]

# Sentences of the seed that were factually wrong, and what the chapter says instead. Each wrong
# sentence must still be visible, quoted in a "Correction" admonition ("The original text said:
# ..."), so a reader comparing with the original sees what changed and why.
SEED_CORRECTIONS: dict[str, str] = {
    "A well-configured Redis instance serving cached data can handle 1 million GET operations per "
    "second on a single node — latencies in the 100-microsecond range.": "A single Redis node "
    "serving cached data can reach on the order of a million GET operations per second only when "
    "clients pipeline their commands",
    "Active expiration: A background thread periodically samples a random subset of keys with "
    "TTLs and deletes those that have expired.": "Active expiration: Redis's main thread, not a "
    "background thread, runs activeExpireCycle from serverCron",
    "Redis with AOF persistence can lose up to one second of writes depending on fsync policy.": (
        "Redis with AOF persistence can lose up to about one second of writes with the default "
        "appendfsync everysec; with appendfsync always it fsyncs every write"
    ),
    "Eventual consistency (Redis Cluster read replicas, DynamoDB eventually consistent reads) "
    "doubles or triples effective read throughput at the cost of potentially serving slightly "
    "stale data.": "Eventual consistency (Redis Cluster read replicas, DynamoDB eventually "
    "consistent reads) raises effective read throughput at the cost of potentially serving "
    "slightly stale data: in DynamoDB an eventually consistent read",
}
# Table cells corrected the same way: (seed cell, chapter cell); the note quotes the seed cell.
TABLE_CORRECTIONS: dict[str, str] = {
    "Redis Cluster (manual sharding)": (
        "Redis Cluster (16,384 hash slots; clients route by slot; resharding moves slots)"
    ),
}

BLOCK_TAGS = {
    "p",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "summary",
    "details",
    "br",
    "pre",
    "blockquote",
    "iframe",
    "dl",
    "dt",
    "dd",
    "hr",
    "figure",
    "figcaption",
    "img",
}


# ---------------------------------------------------------------- helpers


def _md_extensions() -> tuple[list[str], dict]:
    """The markdown_extensions of mkdocs.yml as (names, configs) for ``markdown.Markdown``."""
    config = yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    names: list[str] = []
    configs: dict = {}
    for entry in config.get("markdown_extensions", []):
        if isinstance(entry, dict):
            for name, options in entry.items():
                names.append(name)
                configs[name] = options or {}
        else:
            names.append(entry)
    return names, configs


def render(path: Path) -> str:
    """Render a docs page to HTML with the site's Markdown extensions (front matter dropped)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    names, configs = _md_extensions()
    return markdown.Markdown(extensions=names, extension_configs=configs).convert(text)


class _Page(HTMLParser):
    """Collects visible text (block elements separated by spaces), ids, tables, iframes, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.ids: set[str] = set()
        self.tables: list[list[list[str]]] = []
        self.iframes: list[dict[str, str]] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.images: list[dict[str, str]] = []
        self._cell: list[str] | None = None
        self._link: list | None = None
        self._skip = 0  # inside a heading permalink

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "headerlink" in a.get("class", ""):
            self._skip += 1
            return
        if tag in BLOCK_TAGS:
            self.parts.append(" ")
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "iframe":
            self.iframes.append(a)
        elif tag == "img":
            self.images.append(a)
        elif tag == "a":
            self._link = [a.get("href", ""), []]

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
            return
        if tag in BLOCK_TAGS:
            self.parts.append(" ")
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(squash("".join(self._cell)))
            self._cell = None
        elif tag == "a" and self._link is not None:
            self.links.append((page_href(self._link[0]), squash("".join(self._link[1]))))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._link is not None:
            self._link[1].append(data)

    @property
    def text(self) -> str:
        return squash("".join(self.parts))


def parse(html_text: str) -> _Page:
    page = _Page()
    page.feed(html_text)
    page.close()
    return page


def page_href(href: str) -> str:
    """A Markdown page link as MkDocs writes it: ``x/index.md`` -> ``x/``, ``x.md`` -> ``x/``."""
    if href.endswith("index.md"):
        return href[: -len("index.md")]
    if href.endswith(".md"):
        return href[: -len(".md")] + "/"
    return href


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_lines() -> list[str]:
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def seed_fragments(lines: list[str] | None = None) -> list[str]:
    """The seed's sentences (and list items flattened into one line), markup removed, fixes applied.

    ``lines``: the seed's lines to split (default: all of them). Table rows are left out:
    ``test_*_table`` compares them cell by cell.
    """
    fragments: list[str] = []
    for line in seed_lines() if lines is None else lines:
        if line.startswith("|"):
            continue
        for wrong, right in SEED_FIXES:
            line = line.replace(wrong, right)
        line = line.replace("**", "").replace("`", "")
        line = re.sub(r"^- ", "", line)
        # List items flattened into the line: " - item" and " 1. item".
        pieces = re.split(r"\s+-\s+|\s+\d+\.\s+(?=[A-Z])", line)
        for piece in pieces:
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])", piece):
                sentence = squash(sentence)
                if sentence:
                    fragments.append(sentence)
    return fragments


def seed_spec_lines() -> dict[str, list[str]]:
    """The seed's three specifications, by sim-id: the lines after a "Diagram: ..." heading up to
    the one ending in "Responsive: Redraws on window resize." (the spec's title, type, status,
    objective, canvas and description). They live on the sims' own pages, for instructors."""
    lines = seed_lines()
    specs: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        if line.startswith("Diagram: "):
            end = next(j for j in range(i + 1, len(lines)) if "**Responsive:**" in lines[j])
            block = lines[i + 1 : end + 1]
            sim_id = re.search(r"sim-id:\*\* ([a-z-]+)", " ".join(block))
            assert sim_id, f"no sim-id in the spec after {line!r}"
            specs[sim_id.group(1)] = block
    return specs


def seed_chapter_lines() -> list[str]:
    """The seed's lines that stay in the chapter: all but the specifications."""
    lines = seed_lines()
    specs = seed_spec_lines()
    kept: list[str] = []
    in_spec = 0
    for i, line in enumerate(lines):
        if in_spec:
            in_spec -= 1
            continue
        kept.append(line)
        if line.startswith("Diagram: "):
            block = next(b for b in specs.values() if lines[i + 1 : i + 1 + len(b)] == b)
            in_spec = len(block)
    return kept


def seed_table(header: str) -> list[list[str]]:
    """The seed's pipe table whose header row starts with ``| header |`` (separator row dropped)."""
    lines = seed_lines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [squash(c) for c in line.strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows


def sim_spec(sim_id: str) -> dict[str, Any]:
    """The sim's sims/<id>/sim.json: the one home of its canvas height and parameters."""
    return json.loads((ROOT / "sims" / sim_id / "sim.json").read_text(encoding="utf-8"))


def canvas_height_from_js(sim_id: str) -> int:
    """CANVAS_HEIGHT from the series' ``// CANVAS_HEIGHT: N`` comment in sim.js's first 10 lines."""
    js = ROOT / "sims" / sim_id / "sim.js"
    head = "\n".join(js.read_text(encoding="utf-8").splitlines()[:10])
    match = re.search(r"^\s*//\s*CANVAS_HEIGHT:\s*(\d+)\s*$", head, re.M)
    assert match, f"sims/{sim_id}/sim.js has no '// CANVAS_HEIGHT: N' line in its first 10 lines"
    return int(match.group(1))


@pytest.mark.parametrize("sim_id", [*SIM_IDS, CONSOLE])
def test_canvas_height_comment_matches_sim_json(sim_id: str) -> None:
    assert canvas_height_from_js(sim_id) == sim_spec(sim_id)["canvasHeight"]
    assert sim_spec(sim_id)["id"] == sim_id


def readme_embed_row(spec: dict[str, Any]) -> str:
    """The README's embed-table row of a sim, written from its sim.json."""
    params = []
    for name, param in spec["params"].items():
        if param["type"] in ("int", "number"):
            params.append(f"`{name}` ({build_hook.param_values(param)})")
        elif param["type"] == "enum":
            params.append(f"`{name}` ({build_hook.param_values(param)})")
        else:
            params.append(f"`{name}` (text)")
    return f"| `{spec['id']}` | {spec['canvasHeight'] + 2} | {', '.join(params)} |"


def test_readme_embed_table_and_heights_follow_sim_json() -> None:
    readme = README.read_text(encoding="utf-8")
    for sim_id in [*SIM_IDS, CONSOLE]:
        spec = sim_spec(sim_id)
        row = readme_embed_row(spec)
        assert row in readme, f"README's embed table should have the row\n{row}"
        height = spec["canvasHeight"] + 2
        assert re.search(rf'{sim_id}/main\.html[^"]*"\s+width="100%" height="{height}"', readme)


@pytest.fixture(scope="module")
def chapter() -> _Page:
    return parse(render(CHAPTER_MD))


@pytest.fixture(scope="module")
def chapter_html() -> str:
    return render(CHAPTER_MD)


# ---------------------------------------------------------------- faithfulness to the seed


def test_seed_text_is_readable_and_split_into_sentences() -> None:
    assert SEED.exists(), f"seed text not found at {SEED} (set CHAPTER_SEED)"
    fragments = seed_fragments()
    assert len(fragments) > 150, "the seed should yield well over 150 sentences"
    assert "Chapter 5: Key-Value Stores" in fragments
    assert "Same spirit, very different internal architecture." in fragments


def _missing_or_out_of_order(fragments: list[str], text: str) -> tuple[list[str], list[str]]:
    missing, out_of_order = [], []
    position = 0
    for fragment in fragments:
        for wrong, right in SEED_CORRECTIONS.items():
            fragment = fragment.replace(wrong, right)
        found = text.find(fragment, position)
        if found >= 0:
            position = found + len(fragment)
        elif fragment in text:
            out_of_order.append(fragment)
        else:
            missing.append(fragment)
    return missing, out_of_order


def test_every_seed_sentence_appears_in_order(chapter: _Page) -> None:
    """The chapter has every sentence of the seed in order, except the three specifications."""
    missing, out_of_order = _missing_or_out_of_order(
        seed_fragments(seed_chapter_lines()), chapter.text
    )
    assert not missing, "seed sentences missing from the chapter:\n  " + "\n  ".join(missing)
    assert not out_of_order, "seed sentences out of order:\n  " + "\n  ".join(out_of_order)


def test_seed_split_keeps_every_line() -> None:
    specs = seed_spec_lines()
    assert sorted(specs) == sorted(SIM_IDS)
    assert len(seed_chapter_lines()) + sum(map(len, specs.values())) == len(seed_lines())


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_each_spec_is_on_its_sim_page_for_instructors(sim_id: str) -> None:
    """Every sentence of the seed's specification, in order, under the sim page's "For
    instructors" heading (next to the lesson plan), in an admonition."""
    page_html = render(ROOT / "sims" / sim_id / "index.md")
    head = re.search(r'<h2 id="for-instructors">For instructors', page_html)
    assert head, f"sims/{sim_id}/index.md has no 'For instructors' section"
    section = page_html[head.end() :].split("<h2", 1)[0]
    assert re.search(r"<h3[^>]*>Lesson plan", section), "the lesson plan is for instructors"
    text = parse(section).text
    missing, out_of_order = _missing_or_out_of_order(
        seed_fragments(seed_spec_lines()[sim_id]), text
    )
    assert not missing, "spec sentences missing from the sim page:\n  " + "\n  ".join(missing)
    assert not out_of_order, "spec sentences out of order:\n  " + "\n  ".join(out_of_order)
    assert f"CANVAS_HEIGHT: {SPEC_CANVAS_HEIGHTS[sim_id]}." in text
    assert "Status: Specified (now built: the sim above runs it)" in text


def test_the_chapter_has_no_authoring_leftovers(chapter: _Page) -> None:
    for leftover in ("CANVAS_HEIGHT", "Status: Specified", "Specification:", "sim-id:"):
        assert leftover not in chapter.text, leftover


def test_flattened_hot_key_line_is_a_list_with_code(chapter_html: str) -> None:
    assert "<code>popular_key:1</code> through <code>popular_key:N</code>" in chapter_html
    items = re.findall(r"<li>(.*?)</li>", chapter_html, re.S)
    replication = [i for i in items if "Key replication with random suffix" in i]
    assert len(replication) == 1, "'Key replication with random suffix' should be one list item"
    assert "Local in-process caching" not in replication[0], "the next strategy is its own item"
    assert any(i.startswith("<strong>Local in-process caching:</strong>") for i in items)
    assert any(i.startswith("<strong>Read replicas:</strong>") for i in items)


def test_hash_example_note_matches_the_engine() -> None:
    """The note under the hash-table spec (on the sim's page) quotes numbers; they must be
    kvengine's."""
    hashing = pytest.importorskip("kvengine.hashing")
    digest = hashing.hash_trace("fnv1a-32", "user:42")["hash"]
    independent = 2166136261  # FNV-1a 32-bit, computed here as a cross-check of the engine
    for byte in b"user:42":
        independent = ((independent ^ byte) * 16777619) & 0xFFFFFFFF
    assert digest == independent
    expected = (
        f"which for user:42 is {digest}, and {digest} mod 8 = {digest % 8}, so with 8 "
        f"buckets user:42 lands in bucket {digest % 8}."
    )
    assert expected in parse(render(ROOT / "sims" / "hash-table-lookup" / "index.md")).text


def test_redis_command_is_code(chapter_html: str) -> None:
    assert '<code>SET session:abc123 "{...}" EX 3600</code>' in html.unescape(chapter_html)


# ---------------------------------------------------------------- tables


@pytest.mark.parametrize("header", ["Policy", "Feature"])
def test_flattened_tables_are_real_tables(chapter: _Page, header: str) -> None:
    expected = seed_table(header)
    tables = [t for t in chapter.tables if t and t[0] and t[0][0] == header]
    assert len(tables) == 1, f"expected one table headed '{header}', found {len(tables)}"
    expected = [[TABLE_CORRECTIONS.get(cell, cell) for cell in row] for row in expected]
    assert tables[0] == expected


def _corrections(chapter_html: str) -> list[str]:
    """The text of every "Correction" admonition in the chapter."""
    blocks = re.findall(
        r'<div class="admonition warning">\s*<p class="admonition-title">Correction</p>(.*?)</div>',
        chapter_html,
        flags=re.S,
    )
    return [squash(html.unescape(re.sub(r"<[^>]+>", "", block))) for block in blocks]


@pytest.mark.parametrize("wrong", [*SEED_CORRECTIONS, *TABLE_CORRECTIONS])
def test_each_correction_quotes_the_original_in_a_visible_note(
    chapter_html: str, wrong: str
) -> None:
    notes = _corrections(chapter_html)
    assert any(wrong in note and "The original" in note for note in notes), wrong
    assert wrong in SEED.read_text(encoding="utf-8").replace("**", "").replace("`", "")


# ---------------------------------------------------------------- callouts and admonitions


def _admonitions(chapter_html: str) -> dict[str, str]:
    """{title: class attribute} of every admonition / details block in the chapter."""
    found = {}
    for cls, title in re.findall(
        r'<div class="admonition ([^"]+)">\s*<p class="admonition-title">(.*?)</p>', chapter_html
    ):
        found[html.unescape(title)] = cls
    for cls, title in re.findall(
        r'<details class="([^"]+)">\s*<summary>(.*?)</summary>', chapter_html
    ):
        found[html.unescape(title)] = "details " + cls
    return found


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Welcome to Chapter 5!", "welcome"),
        ("Chapter 5 Complete!", "complete"),
        ("Redis Is Not a Database of Record", "danger"),
        ("Sensitivity point — consistency vs. throughput", "sensitivity"),
        ("Tradeoff point — the query expressiveness wall", "tradeoff"),
    ],
)
def test_callouts_are_admonitions(chapter_html: str, title: str, kind: str) -> None:
    admonitions = _admonitions(chapter_html)
    assert title in admonitions, f"no admonition titled {title!r}; found {sorted(admonitions)}"
    assert admonitions[title] == kind


def test_custom_admonitions_are_styled_with_icon_and_colour() -> None:
    css = (ROOT / "docs" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    for kind in ("welcome", "complete", "sensitivity", "tradeoff"):
        assert f"--md-admonition-icon--{kind}: url('data:image/svg+xml" in css, kind
        # each type sets its colour and icon; the shared callout rules apply to it
        block = re.search(r"\.md-typeset \." + kind + r" \{([^}]*)\}", css)
        assert block, kind
        assert "--kv-callout: #" in block.group(1), kind
        assert f"--kv-callout-icon: var(--md-admonition-icon--{kind})" in block.group(1), kind
    shared = re.search(r"\.md-typeset :is\(\.admonition, details\):is\(([^)]*)\)", css)
    assert shared and set(shared.group(1).replace(".", "").replace(" ", "").split(",")) == {
        "welcome",
        "complete",
        "sensitivity",
        "tradeoff",
    }
    assert "http://" not in css.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in css, "the stylesheet must not load anything from another origin"


def test_atam_and_headings_hierarchy(chapter_html: str) -> None:
    headings = [  # the heading's text, inline markup (abbreviations, links) removed
        (level, re.sub(r"<a class=\"headerlink\".*?</a>|<[^>]+>", "", inner))
        for level, inner in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", chapter_html, flags=re.S)
    ]
    levels = [int(level) for level, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1, "one H1, first"
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1 or (before, after) == (2, 4), (
            f"heading level jumps from h{before} to h{after}"
        )
    titles = [html.unescape(t).strip() for _, t in headings]
    for expected in (
        "The ATAM Lens: Key-Value Tradeoffs",
        "Key Takeaways",
        "Caching Patterns",
        "Redis and DynamoDB: The Canonical Representatives",
    ):
        assert expected in titles


def test_prerequisites_are_honest(chapter: _Page, chapter_html: str) -> None:
    text = chapter.text
    assert "This chapter builds on concepts from:" in text
    assert not re.search(r"Chapter [1-4]\b", text), "no invented earlier chapters"
    section = chapter_html.split('id="prerequisites"', 1)[1].split("<h2", 1)[0]
    items = [parse(item).text for item in re.findall(r"<li>(.*?)</li>", section, re.S)]
    assert len(items) >= 3, "the prerequisites say what to know"
    for topic in ("The relational model:", "Hashing basics:"):
        assert any(item.startswith(topic) and len(item) > 60 for item in items), topic


def test_jump_links_reach_each_sim(chapter: _Page) -> None:
    jumps = [href for href, text in chapter.links if href.startswith("#sim-")]
    for sim_id in SIM_IDS:
        assert f"sim-{sim_id}" in chapter.ids
        assert jumps.count(f"#sim-{sim_id}") == 2, "one at the top, one in the sim's section"
    first_section = chapter.text.index("Summary")
    first_jump = chapter.text.index("Hash Table Lookup")
    assert first_jump < first_section, "the top links come before the chapter's text"


# ---------------------------------------------------------------- the three diagrams


@pytest.mark.parametrize(
    ("sim_id", "diagram"),
    [
        ("hash-table-lookup", "Diagram: Hash Table Lookup Animation"),
        ("cache-eviction-simulator", "Diagram: Cache Eviction Policy Simulator"),
        ("cache-failure-modes", "Diagram: Cache Failure Mode Simulator"),
    ],
)
def test_diagram_block_heading_iframe_links_spec(
    chapter_html: str, sim_id: str, diagram: str
) -> None:
    heading = re.search(rf"<h4[^>]*>{re.escape(diagram)}", chapter_html)
    assert heading, f"no '#### {diagram}' heading"
    block = chapter_html[heading.end() :]
    block = block[: block.find("<h", 1)]  # up to the next heading
    page = parse(block)
    assert len(page.iframes) == 1, "one iframe right under the diagram heading"
    frame = page.iframes[0]
    assert frame.get("src") == f"../../sims/{sim_id}/main.html"
    assert frame.get("width") == "100%"
    assert frame.get("height") == str(sim_spec(sim_id)["canvasHeight"] + 2)  # sim.json, its home
    assert frame.get("scrolling") == "no"
    assert "allowfullscreen" in frame
    assert frame.get("title"), "the iframe needs an accessible title"
    hrefs = [href for href, _ in page.links]
    assert f"../../sims/{sim_id}/" in hrefs, "link to the sim's own page"
    assert f"../../sims/{sim_id}/main.html" in hrefs, "fullscreen link"
    assert f"../../sims/{sim_id}/index.md#for-instructors" in hrefs, (
        "link to the spec and lesson plan"
    )
    assert frame.get("id") == f"sim-{sim_id}", "the target of the jump links"
    assert "<details" not in block.split('data-quiz="', 1)[0], "no spec box in the chapter"
    prompts = re.findall(r'<div data-quiz="(sim-[a-z-]+)"></div>', block)
    assert 2 <= len(prompts) <= 3, f"two or three prompts under the sim: {prompts}"


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_iframe_height_is_canvas_height_plus_two(chapter: _Page, sim_id: str) -> None:
    canvas_height = canvas_height_from_js(sim_id)
    frames = [f for f in chapter.iframes if f.get("src") == f"../../sims/{sim_id}/main.html"]
    assert len(frames) == 1
    assert frames[0]["height"] == str(canvas_height + 2), (
        f"sims/{sim_id}/{sim_id}.js says CANVAS_HEIGHT {canvas_height}"
    )


def test_the_chapter_embeds_the_three_sims_and_the_console(chapter: _Page) -> None:
    assert sorted(f["src"] for f in chapter.iframes) == sorted(
        f"../../sims/{sim_id}/main.html" for sim_id in [*SIM_IDS, CONSOLE]
    )
    (console,) = [f for f in chapter.iframes if CONSOLE in f["src"]]
    assert console.get("id") == f"sim-{CONSOLE}"  # the Run buttons' target
    assert console.get("height") == str(sim_spec(CONSOLE)["canvasHeight"] + 2)
    assert console.get("title")


# ---------------------------------------------------------------- the 12 concepts


def _concept_links(chapter_html: str) -> list[tuple[str, str]]:
    section = chapter_html.split('id="concepts-covered"', 1)[1].split("<h2", 1)[0]
    return [(href, text) for href, text in parse(section).links if href.startswith("#")]


def test_concepts_covered_lists_the_seeds_12_concepts(chapter_html: str) -> None:
    lines = seed_lines()
    start = lines.index("This chapter covers the following 12 concepts from the learning graph:")
    seed_concepts = [line[2:] for line in lines[start + 1 : start + 13]]
    assert all(line.startswith("- ") for line in lines[start + 1 : start + 13])
    assert [text for _, text in _concept_links(chapter_html)] == seed_concepts


def test_concept_links_resolve_to_anchors(chapter: _Page, chapter_html: str) -> None:
    links = _concept_links(chapter_html)
    assert len(links) == 12
    missing = [href for href, _ in links if href[1:] not in chapter.ids]
    assert not missing, f"concept anchors missing from the chapter: {missing}"
    assert len({href for href, _ in links}) == 12, "each concept has its own anchor"


# ---------------------------------------------------------------- sim catalogue and home


def test_sim_catalogue_has_a_card_per_sim() -> None:
    page_html = render(SIMS_INDEX_MD)
    assert '<div class="grid cards">' in page_html
    page = parse(page_html)
    sources = sorted(img["src"] for img in page.images)
    assert sources == sorted(f"{sim_id}/{sim_id}.png" for sim_id in [*SIM_IDS, CONSOLE])
    assert all(len(img.get("alt", "")) > 20 for img in page.images), "screenshots need alt text"
    hrefs = {href for href, _ in page.links}
    for sim_id in [*SIM_IDS, CONSOLE]:
        assert f"{sim_id}/" in hrefs
    text = page.text
    for objective, bloom in [
        ("Demonstrate how a hash function maps a key to a bucket index", "L2: Understand"),
        ("Apply LRU and LFU eviction policies to a sequence of cache operations", "L3: Apply"),
        ("Identify cache stampede and hot key failure modes", "L4–L5: Analyze/Evaluate"),
        ("Use Redis commands on strings, hashes, lists, sets and sorted sets", "L3: Apply"),
    ]:
        assert objective in text
        assert f"Bloom level: {bloom}" in text


def test_home_page_links_and_embed_heights() -> None:
    page = parse(render(HOME_MD))
    hrefs = {href for href, _ in page.links}
    assert "chapters/05-key-value-stores/" in hrefs
    assert "sims/" in hrefs
    for height in (442, 482, 602):
        assert str(height) in page.text
    for event in ("microsim-ready", "microsim-error", "microsim-resize"):
        assert event in page.text


@pytest.mark.parametrize("page", [CHAPTER_MD, HOME_MD, SIMS_INDEX_MD], ids=lambda p: p.parent.name)
def test_pages_embed_nothing_from_other_origins(page: Path) -> None:
    """Offline: iframes and images point into the site; links elsewhere are fine."""
    rendered = render(page)
    outside = re.findall(r'\bsrc="((?:https?:)?//[^"]+)"', rendered)
    assert not outside, f"{page.relative_to(ROOT)} embeds from other origins: {outside}"


def test_readme_commands_first_and_sections() -> None:
    readme = README.read_text(encoding="utf-8")
    first_heading_after_title = re.findall(r"^## (.+)$", readme, re.M)
    assert first_heading_after_title, "README has sections"
    serve, test = readme.find("make serve"), readme.find("make test")
    assert 0 < serve < readme.find("## " + first_heading_after_title[1])
    assert 0 < test < readme.find("## " + first_heading_after_title[1])
    for needle in (
        "442",
        "482",
        "602",
        "microsim-ready",
        "mkdocs gh-deploy",
        "MICROSIM_ASSETS",
        "microsim_assets: cdn",
        "## The engine",
        "## Benchmarks",
        "docs/engine.md",
        "bench/",
    ):
        assert needle in readme, needle
    screenshot = re.search(r"!\[[^\]]+\]\(([^)]+\.png)\)", readme)
    assert screenshot, "README shows a screenshot"


# ---------------------------------------------------------------- metadata.json


CONCEPT_HINT = (
    " (list at least one of the chapter's 12 concepts, spelled as in its Concepts Covered list,"
    " e.g. 'Hash Table Storage'; finer-grained concepts may be listed as well)"
)


@pytest.fixture(scope="module")
def metadata_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("sim_id", [*SIM_IDS, CONSOLE])
def test_metadata_validates(
    metadata_validator: jsonschema.Draft202012Validator, sim_id: str
) -> None:
    path = ROOT / "sims" / sim_id / "metadata.json"
    if not path.exists():
        pytest.skip(f"sims/{sim_id}/metadata.json does not exist yet")
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        + (CONCEPT_HINT if e.validator == "contains" else "")
        for e in metadata_validator.iter_errors(data)
    ]
    assert not errors, f"sims/{sim_id}/metadata.json:\n  " + "\n  ".join(errors)


def test_metadata_schema_rejects_bad_records(
    metadata_validator: jsonschema.Draft202012Validator,
) -> None:
    good = {
        "title": "Interactive Hash Table Lookup",
        "description": "x" * 40,
        "creator": "Team",
        "date": "2026-11-26",
        "subject": ["Hashing"],
        "type": "Interactive Simulation",
        "format": "text/html",
        "language": "en",
        "rights": "CC BY-NC-SA 4.0",
        "educationalLevel": "Undergraduate",
        "bloomLevel": "Understand",
        "concepts": ["Hash Table Storage"],
        "library": "p5.js",
        # the MicroSim series' fields
        "identifier": "https://example.org/book/sims/hash-table-lookup/",
        "license": "CC-BY-NC-SA-4.0",
        "publisher": "Databases, Hands On",
        "gradeLevel": ["Undergraduate"],
        "subjectArea": ["Computer Science"],
        "audience": "Students",
        "learningResourceType": "simulation",
        "difficulty": "Beginner",
        "learningObjectives": ["Explain how a key finds its bucket."],
        "prerequisites": ["Arrays"],
        "canvasHeight": 440,
    }
    assert metadata_validator.is_valid(good)
    for field in good:
        assert not metadata_validator.is_valid({k: v for k, v in good.items() if k != field}), field
    for field, bad in [
        ("date", "26/11/2026"),
        ("bloomLevel", "L2"),
        ("concepts", ["Hashing"]),
        ("concepts", []),
        ("format", "image/png"),
        ("language", "English"),
        ("title", ""),
        ("identifier", "hash-table-lookup"),
        ("gradeLevel", ["Freshman"]),
        ("learningObjectives", []),
        ("canvasHeight", "440"),
        ("difficulty", "Easy"),
    ]:
        assert not metadata_validator.is_valid({**good, field: bad}), field


# ---------------------------------------------------------------- the built site


def _mkdocs_build(site_dir: Path, *, strict: bool) -> subprocess.CompletedProcess:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    return subprocess.run(
        [str(mkdocs), "build", "--strict" if strict else "--no-strict", "-d", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def strict_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess, Path]:
    """``mkdocs build --strict`` (without ``-q``) into a temporary folder: (result, folder).

    Built here rather than taken from conftest's ``site_dir``: in MkDocs 1.6 ``--strict -q``
    silences the warnings before strict mode counts them, so such a build passes with warnings.
    """
    out = tmp_path_factory.mktemp("site")
    return _mkdocs_build(out, strict=True), out


@pytest.fixture(scope="module")
def built_site(strict_build: tuple[subprocess.CompletedProcess, Path]) -> Path:
    """The built site for the checks below; rebuilt without --strict if the strict build failed,
    so that these checks report their own findings (the strict test reports the warnings)."""
    result, out = strict_build
    if result.returncode != 0:
        again = _mkdocs_build(out, strict=False)
        if again.returncode != 0:
            pytest.fail(
                f"mkdocs build failed even without --strict:\n{again.stderr[-3000:]}", pytrace=False
            )
    return out


def test_mkdocs_build_strict_succeeds(
    strict_build: tuple[subprocess.CompletedProcess, Path],
) -> None:
    result, out = strict_build
    if result.returncode != 0:
        hook = ROOT / "hooks" / "build_assets.py"
        reason = (
            ""
            if hook.exists()
            else (
                " (hooks/build_assets.py, the build hook, does not exist yet: "
                "mkdocs cannot load its config and the sims' pages are not added)"
            )
        )
        problems = [
            re.sub(r"\x1b\[[0-9;]*m", "", line)
            for line in result.stderr.splitlines()
            if "WARNING" in line or "ERROR" in line or "Error" in line
        ]
        pytest.fail(
            f"mkdocs build --strict failed{reason}:\n" + "\n".join(problems[-40:]), pytrace=False
        )
    assert (out / "index.html").exists()
    assert (out / "chapters" / "05-key-value-stores" / "index.html").exists()
    assert (out / "sims" / "index.html").exists()


def test_built_chapter_anchors_and_sim_targets_exist(built_site: Path, chapter_html: str) -> None:
    chapter_dir = built_site / "chapters" / "05-key-value-stores"
    built = parse((chapter_dir / "index.html").read_text(encoding="utf-8"))
    missing = [href for href, _ in _concept_links(chapter_html) if href[1:] not in built.ids]
    assert not missing, f"concept anchors missing from the built chapter: {missing}"
    for frame in built.iframes:
        target = (chapter_dir / frame["src"]).resolve()
        assert target.is_file(), f"iframe target {frame['src']} is not in the built site"
    for sim_id in SIM_IDS:
        assert (built_site / "sims" / sim_id / "index.html").is_file(), f"page of {sim_id}"


def test_built_catalogue_screenshots_exist(built_site: Path) -> None:
    sims_dir = built_site / "sims"
    built = parse((sims_dir / "index.html").read_text(encoding="utf-8"))
    shots = [img["src"] for img in built.images if img.get("src", "").endswith(".png")]
    assert len(shots) == 4
    missing = [src for src in shots if not (sims_dir / src).resolve().is_file()]
    assert not missing, f"screenshots not in the built site (sim tests produce them): {missing}"
