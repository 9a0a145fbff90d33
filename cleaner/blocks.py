"""A parsed page -> text blocks with their DOM features, one feature matrix per page.

A block is the text between two block-level boundaries (a paragraph, a list item, a table
cell, a heading, a `<br>`), as a browser's innerText breaks lines; the same segmentation
gives the L3S-GN1 labels (training/l3s.py). Each block is described by:

* the line model's text features (cleaner/features.py), computed over the page's blocks
  as if they were the lines of a text, so shape, patterns and text neighbours are shared;
* its place in the DOM: link density, the block element's tag, the tags above it, the
  class/id/itemprop/role words around it ("related", "share", "byline", "footer"...), depth,
  text and tag density, position in the page;
* whether trafilatura's extraction of the page holds its text (a vote, not the answer),
  filled in only when the block model asks for it (`PageBlocks.with_vote`);
* the same few DOM signals of its neighbours, and of the blocks under the same parent.

Everything is computed in one walk of the tree and stacked per page, as numpy arrays.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from typing import Any

import numpy as np

from cleaner import features
from cleaner.numeric import log1p_counts

#: Elements that start and end a block, as in a browser's innerText (and training/l3s.py).
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
    "li", "main", "menu", "nav", "ol", "optgroup", "option", "p", "pre", "section", "select",
    "summary", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "ul",
})
#: Elements whose text a reader never sees.
SKIP_TAGS = frozenset({
    "applet", "audio", "canvas", "embed", "head", "iframe", "link", "map", "math", "meta",
    "noembed", "noframes", "noscript", "object", "param", "script", "style", "svg", "template",
    "title", "video", "button", "input",
})
_PRE_TAGS = frozenset({"pre", "textarea", "listing", "plaintext", "xmp"})
#: Characters that take no space on screen.
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))

# --- words around a block -------------------------------------------------------------------

#: Families of class/id/itemprop/role words: a family fires when any of its stems occurs in
#: the lower-cased attribute text (stems), or equals one of its tokens (short words like
#: "ad" that would match inside other words).
FAMILIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("content", ("article", "content", "story", "entry", "post-body", "postbody", "prose",
                 "richtext", "rich-text", "articlebody", "storybody", "text"), ("body", "post", "main")),
    ("title", ("title", "headline", "heading"), ("h1", "hed")),
    ("byline", ("byline", "author", "writer", "contributor", "reporter", "creator"), ("by",)),
    ("date", ("date", "time", "publish", "timestamp", "updated", "posted"), ()),
    ("caption", ("caption", "credit", "figure", "photo", "image", "gallery", "media", "picture"),
     ("img", "figcaption")),
    ("related", ("related", "recommend", "trending", "popular", "teaser", "recirc", "outbrain",
                 "taboola", "readmore", "read-more", "read-next", "readnext", "also", "more-stories",
                 "most-read", "mostread"), ("more", "next", "prev", "previous")),
    ("share", ("share", "social", "facebook", "twitter", "whatsapp", "linkedin", "pinterest",
               "sharing", "follow", "print", "mail"), ()),
    ("nav", ("nav", "menu", "breadcrumb", "pagination", "pager", "skip", "toolbar", "dropdown"), ()),
    ("header", ("header", "masthead", "topbar", "top-bar", "logo", "brand", "banner"), ("top",)),
    ("footer", ("footer", "copyright", "legal", "colophon", "imprint", "disclaimer", "contentinfo"),
     ("bottom",)),
    ("sidebar", ("sidebar", "aside", "widget", "rail", "complementary", "side"), ("col", "column")),
    ("ad", ("advert", "sponsor", "promo", "commercial", "anzeige", "werbung", "dfp", "adslot",
            "ad-slot", "adunit", "ad-unit", "ad-container"), ("ad", "ads", "adv", "gpt")),
    ("newsletter", ("newsletter", "subscri", "signup", "sign-up", "paywall", "register", "login",
                    "membership", "donate", "abo"), ()),
    ("consent", ("cookie", "consent", "gdpr", "privacy", "modal", "popup", "overlay", "dialog",
                 "notice", "alert"), ()),
    ("comment", ("comment", "disqus", "discussion", "reply", "respond", "forum"), ()),
    ("tags", ("tag", "keyword", "topic", "categor", "rubric"), ("label", "labels")),
    ("summary", ("summary", "intro", "standfirst", "subtitle", "subhead", "excerpt", "description",
                 "teaser", "kicker", "deck"), ("lead", "dek", "lede")),
    ("hidden", ("hidden", "sr-only", "visually-hidden", "screen-reader", "offscreen", "d-none",
                "invisible", "collapse"), ("hide",)),
    ("list", ("list", "item", "card", "tile", "grid", "feed", "stream"), ()),
    ("meta", ("meta", "info", "details", "dateline", "source"), ()),
)
FAMILY_NAMES: tuple[str, ...] = tuple(name for name, _, _ in FAMILIES)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")


def _bits_by_word(pairs: Iterable[tuple[int, Iterable[str]]]) -> dict[str, int]:
    """word -> the bits of the groups (families, tag groups) that list it."""
    out: dict[str, int] = {}
    for bit, words in pairs:
        for word in words:
            out[word] = out.get(word, 0) | bit
    return out


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex for any of `words`, shaped as their trie (a branch a letter, not one a word),
    that takes the longest word where several start at the same place."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def branch(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + branch(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer word first

    return branch(trie)


_STEM_BITS = _bits_by_word((1 << i, stems) for i, (_, stems, _) in enumerate(FAMILIES))
_TOKEN_BITS = _bits_by_word((1 << i, exact) for i, (_, _, exact) in enumerate(FAMILIES))
#: Every place a stem starts (a lookahead, so that matches may overlap), the longest stem there.
_STEM_AT = re.compile(f"(?=({_trie_pattern(_STEM_BITS)}))")
#: stem -> the families of it and of the stems it starts with: those match where it does,
#: and `_STEM_AT` reports only the longest stem at a place.
_STEM_CLOSURE = {
    stem: reduce(operator.or_, (bits for other, bits in _STEM_BITS.items() if stem.startswith(other)))
    for stem in _STEM_BITS
}


@lru_cache(maxsize=65536)
def family_mask(words: str) -> int:
    """Bit i set when family i fires on the attribute text `words` (class, id, itemprop, role).

    One scan for all stems: a page brings some 130 attribute texts the cache has not seen,
    and a search per family cost 20 µs each (2.6 ms a page); the scan costs 8.
    """
    if not words:
        return 0
    lowered = _CAMEL.sub("-", words).lower()
    mask = 0
    for match in _STEM_AT.finditer(lowered.replace("_", "-")):
        mask |= _STEM_CLOSURE[match.group(1)]
    get = _TOKEN_BITS.get
    for token in _TOKEN_SPLIT.split(lowered):
        mask |= get(token, 0)
    return mask


# --- tags -----------------------------------------------------------------------------------

#: Tags (or groups) above a block that say something about it.
ANCESTOR_TAGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("article", frozenset({"article"})),
    ("main", frozenset({"main"})),
    ("section", frozenset({"section"})),
    ("header", frozenset({"header"})),
    ("footer", frozenset({"footer"})),
    ("nav", frozenset({"nav", "menu"})),
    ("aside", frozenset({"aside"})),
    ("figure", frozenset({"figure", "figcaption", "picture"})),
    ("list", frozenset({"li", "ul", "ol", "dl", "dd", "dt"})),
    ("table", frozenset({"table", "td", "th", "tr"})),
    ("form", frozenset({"form", "fieldset", "select", "option", "label", "textarea"})),
    ("blockquote", frozenset({"blockquote", "q"})),
    ("heading", frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "hgroup"})),
    ("link", frozenset({"a"})),
    ("time", frozenset({"time"})),
    ("address", frozenset({"address"})),
    ("emphasis", frozenset({"strong", "b", "em", "i"})),
    ("small", frozenset({"small", "sub", "sup"})),
    ("p", frozenset({"p"})),
)
ANCESTOR_NAMES: tuple[str, ...] = tuple(name for name, _ in ANCESTOR_TAGS)
_ANCESTOR_BIT = _bits_by_word((1 << i, tags) for i, (_, tags) in enumerate(ANCESTOR_TAGS))

#: The element a block's text sits in, one-hot by group.
OWNER_TAGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("p", frozenset({"p"})),
    ("div", frozenset({"div", "center"})),
    ("cell", frozenset({"td", "th", "caption", "tr", "table", "tbody", "thead", "tfoot"})),
    ("li", frozenset({"li", "dd", "dt", "ul", "ol", "dl", "menu", "dir"})),
    ("h1", frozenset({"h1"})),
    ("h2", frozenset({"h2"})),
    ("h3_6", frozenset({"h3", "h4", "h5", "h6", "hgroup"})),
    ("quote", frozenset({"blockquote"})),
    ("figcaption", frozenset({"figcaption", "figure"})),
    ("pre", frozenset({"pre", "textarea"})),
    ("sectioning", frozenset({"section", "article", "main", "body", "html"})),
    ("landmark", frozenset({"header", "footer", "nav", "aside", "address"})),
    ("form", frozenset({"form", "fieldset", "legend", "select", "option", "optgroup", "details",
                        "summary", "dialog"})),
)
OWNER_NAMES: tuple[str, ...] = tuple(name for name, _ in OWNER_TAGS)
_OWNER_INDEX = {tag: i for i, (_, tags) in enumerate(OWNER_TAGS) for tag in tags}

# --- one walk of the tree -------------------------------------------------------------------


@dataclass(slots=True)
class RawBlock:
    """What the walk records of one block before features are computed."""

    text: str
    owner_tag: str
    depth: int
    near_mask: int  # families of the owner and its two parents, and inline elements inside
    far_mask: int  # families of every ancestor
    tag_mask: int  # ancestor tag groups
    inline_mask: int  # families of inline elements carrying the text
    link_chars: int
    links: int
    elements: int
    hidden: bool
    owner_id: int  # the owner element, shared by the blocks a <br> splits
    parent: int  # the owner's block-level parent, shared by sibling blocks


@dataclass(slots=True)
class _Ctx:
    owner: str
    owner_id: int
    owner_parent: int
    depth: int
    masks: tuple[int, int, int]  # own masks of the owner-level element, its parent, grandparent
    far_mask: int
    tag_mask: int
    inline_mask: int
    in_link: bool
    hidden: bool
    in_pre: bool


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


#: Attributes whose words say what an element is (`family_mask`).
_WORD_ATTRIBUTES = frozenset({"class", "id", "itemprop", "role"})


def _read_attributes(items: list[tuple[str, str]]) -> tuple[str, bool]:
    """The words of an element's class, id, itemprop and role, and whether it hides itself.

    From one `items()` call: most elements have no attributes, and lxml's `get` is a call
    per name (seven an element).
    """
    words = []
    hidden = False
    for key, value in items:
        if key in _WORD_ATTRIBUTES:
            if value:
                words.append(value)
        elif key == "hidden" or (key == "aria-hidden" and value == "true"):
            hidden = True
        elif key == "style" and _HIDDEN_STYLE.search(value):
            hidden = True
    return " ".join(words), hidden


@dataclass
class _Builder:
    blocks: list[RawBlock] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    ctx: _Ctx | None = None
    link_chars: int = 0
    links: int = 0
    elements: int = 0
    inline_mask: int = 0

    def add(self, text: str, ctx: _Ctx) -> None:
        if not text.isascii():  # a cheap test first: most text of most pages is ASCII
            text = text.translate(_INVISIBLE_CHARS)
        if not text:
            return
        if self.ctx is None:
            if text.isspace():
                return
            self.ctx = ctx
        self.texts.append(text)
        self.inline_mask |= ctx.inline_mask
        if ctx.in_link:
            self.link_chars += len(text.strip())

    def flush(self) -> None:
        ctx = self.ctx
        if ctx is None:  # nothing added since the last flush, nothing to reset
            return
        # One space for each run of spaces (str.split's, which are str.isspace's, as `\s`'s).
        text = unicodedata.normalize("NFC", " ".join("".join(self.texts).split()))
        if text:
            m0, m1, m2 = ctx.masks
            self.blocks.append(RawBlock(
                text=text,
                owner_tag=ctx.owner,
                depth=ctx.depth,
                near_mask=m0 | m1 | m2 | self.inline_mask,
                far_mask=ctx.far_mask | self.inline_mask,
                tag_mask=ctx.tag_mask,
                inline_mask=self.inline_mask,
                link_chars=min(self.link_chars, len(text)),
                links=self.links,
                elements=self.elements,
                hidden=ctx.hidden,
                owner_id=ctx.owner_id,
                parent=ctx.owner_parent,
            ))
        self.texts.clear()
        self.ctx = None
        self.link_chars = self.links = self.elements = self.inline_mask = 0


def walk(root: Any) -> list[RawBlock]:
    """The blocks of a page in document order, from one pass of lxml's iterwalk."""
    from lxml import etree

    body = root.find(".//body") if root.tag != "body" else root
    if body is None:
        body = root
    out = _Builder()
    # The context of the innermost open element; `stack` holds its ancestors' contexts.
    ctx = _Ctx("body", 0, -1, 0, (0, 0, 0), 0, 0, 0, False, False, False)
    stack: list[_Ctx] = []
    counter = 0
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, node in walker:
        tag = node.tag
        if event == "start":
            if not isinstance(tag, str) or tag.lower() in SKIP_TAGS:
                walker.skip_subtree()
                stack.append(ctx)  # an invisible element keeps its parent's context for its tail
                continue
            tag = tag.lower()
            counter += 1
            if out.ctx is not None:
                out.elements += 1
                if tag == "a":
                    out.links += 1
            items = node.items()
            words, hides = _read_attributes(items) if items else ("", False)
            own = family_mask(words) if words else 0
            hidden = ctx.hidden or hides
            tag_mask = ctx.tag_mask | _ANCESTOR_BIT.get(tag, 0)
            in_link = ctx.in_link or tag == "a"
            in_pre = ctx.in_pre or tag in _PRE_TAGS
            stack.append(ctx)
            if tag in BLOCK_TAGS:
                if out.ctx is not None:  # (flush would return at once: saves a call an element)
                    out.flush()
                ctx = _Ctx(tag, counter, ctx.owner_id, ctx.depth + 1, (own, ctx.masks[0], ctx.masks[1]),
                           ctx.far_mask | own, tag_mask, 0, in_link, hidden, in_pre)
            else:
                ctx = _Ctx(ctx.owner, ctx.owner_id, ctx.owner_parent, ctx.depth + 1, ctx.masks,
                           ctx.far_mask | own, tag_mask, ctx.inline_mask | own, in_link, hidden, in_pre)
            text = node.text
            if text:
                if ctx.in_pre:
                    _add_pre_text(out, text, ctx)
                else:
                    out.add(text, ctx)
        else:
            inner = ctx
            ctx = stack.pop()
            if inner is not ctx and inner.owner_id != ctx.owner_id and out.ctx is not None:  # a block ends
                out.flush()
            tail = node.tail
            if tail and node is not body:
                if ctx.in_pre:
                    _add_pre_text(out, tail, ctx)
                else:
                    out.add(tail, ctx)
    out.flush()
    return out.blocks


def _add_pre_text(out: _Builder, text: str, ctx: _Ctx) -> None:
    """Text inside <pre> and its kin: each of its lines is a block."""
    for i, part in enumerate(text.split("\n")):
        if i:
            out.flush()
        out.add(part, ctx)


# --- features -------------------------------------------------------------------------------

#: Characters per line when text is wrapped, for Kohlschuetter et al.'s text density.
WRAP_WIDTH = 80
#: Offsets of the neighbours whose DOM signals a block sees.
DOM_NEIGHBOUR_OFFSETS: tuple[int, ...] = (-2, -1, 1, 2)
#: DOM signals repeated for the neighbours.
DOM_NEIGHBOUR_NAMES: tuple[str, ...] = (
    "link_density", "traf_in", "traf_cover", "owner=p", "near:content", "near:related", "near:share",
    "far:footer", "anc:list",
)

#: The block's own columns of trafilatura's vote (`vote_features`).
_VOTE_BASE_NAMES: tuple[str, ...] = ("traf_in", "traf_cover", "traf_line")
DOM_BASE_NAMES: tuple[str, ...] = (
    ("link_density", "log_links", "all_link", "tag_density", "log_depth", "text_density", "rel_char_pos",
     "rel_block_pos", "hidden")
    + _VOTE_BASE_NAMES
    + tuple(f"owner={name}" for name in OWNER_NAMES)
    + tuple(f"anc:{name}" for name in ANCESTOR_NAMES)
    + tuple(f"near:{name}" for name in FAMILY_NAMES)
    + tuple(f"far:{name}" for name in FAMILY_NAMES)
    + tuple(f"inline:{name}" for name in FAMILY_NAMES)
)
GROUP_NAMES: tuple[str, ...] = (
    "parent_log_blocks", "parent_traf_share", "parent_link_density", "parent_char_share",
    "owner_log_blocks", "parent_mean_log_chars",
)
PAGE_NAMES: tuple[str, ...] = (
    "page_log_blocks", "page_log_chars", "page_link_density", "page_traf_share", "page_traf_empty",
    "traf_run_before", "traf_run_after",
)
DOM_NAMES: tuple[str, ...] = (
    DOM_BASE_NAMES
    + tuple(f"{name}@{off:+d}" for off in DOM_NEIGHBOUR_OFFSETS for name in DOM_NEIGHBOUR_NAMES)
    + GROUP_NAMES
    + PAGE_NAMES
)
#: The columns made from trafilatura's text: all zero until it has run (`PageBlocks.with_vote`).
VOTE_NAMES: tuple[str, ...] = tuple(name for name in DOM_NAMES if "traf" in name)
_VOTE_SET = frozenset(VOTE_NAMES)
_D = {name: i for i, name in enumerate(DOM_BASE_NAMES)}
_WORD = re.compile(r"\w+")


def _bits(masks: Sequence[int], width: int) -> np.ndarray:
    """Rows of 0/1 columns from integer bit masks."""
    arr = np.asarray(masks, dtype=np.int64)[:, None]
    return ((arr >> np.arange(width, dtype=np.int64)) & 1).astype(float)


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:], strict=False))


@dataclass
class TrafText:
    """Trafilatura's extraction in the shapes blocks are compared with."""

    norm: str
    lines: frozenset[str]
    bigrams: set[tuple[str, str]]
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> TrafText:
        text = unicodedata.normalize("NFC", text)
        norm = " ".join(text.split())
        lines = frozenset(" ".join(line.split()) for line in text.splitlines())
        words = _WORD.findall(norm.lower())
        return cls(norm=norm, lines=lines - {""}, bigrams=_bigrams(words), words=frozenset(words))


def _traf_votes(texts: Sequence[str], traf: TrafText) -> np.ndarray:
    """Per block: its text inside trafilatura's, the share of its word pairs there, a line of it."""
    if not traf.norm:
        return np.zeros((len(texts), 3))
    in_bigrams = traf.bigrams.__contains__
    find = traf.norm.find
    rows = []
    at = 0  # where the last block found was: the next is most often just after it
    for text in texts:
        words = _WORD.findall(text.lower())
        if len(words) >= 2:
            cover = sum(map(in_bigrams, zip(words, words[1:], strict=False))) / (len(words) - 1)
        elif words:
            cover = float(words[0] in traf.words)
        else:
            cover = 0.0
        inside = False
        if cover > 0 or not words:
            # `text in traf.norm`, searched from `at` on, then before it: on a page of
            # thousands of blocks, a search from the start each time cost more than the vote.
            found = find(text, at)
            if found < 0:
                found = find(text, 0, at + len(text) - 1)
            inside = found >= 0
            if inside:
                at = found + len(text)
        rows.append((float(inside), cover, float(text in traf.lines)))
    return np.array(rows, dtype=float).reshape(len(texts), 3)


def _group_mean(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the mean of `values` over the rows sharing its key, and how many share it."""
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=values)
    return (sums / counts)[inverse], counts[inverse].astype(float)


def _run_from(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many consecutive flagged rows end just above it, and start just below it."""
    n = flags.shape[0]
    before = np.zeros(n)
    after = np.zeros(n)
    run = 0.0
    for i in range(n):
        before[i] = run
        run = run + 1 if flags[i] else 0.0
    run = 0.0
    for i in range(n - 1, -1, -1):
        after[i] = run
        run = run + 1 if flags[i] else 0.0
    return before, after


def dom_features(blocks: Sequence[RawBlock]) -> np.ndarray:
    """DOM and neighbour features of a page's blocks, one row a block; the vote's columns
    (`VOTE_NAMES`) are zero here and filled by `vote_features` once trafilatura has run."""
    n = len(blocks)
    if n == 0:
        return np.zeros((0, len(DOM_NAMES)))
    texts = [b.text for b in blocks]
    chars = np.array([len(t) for t in texts], dtype=float)
    words = np.array([len(t.split()) for t in texts], dtype=float)
    link_chars = np.array([b.link_chars for b in blocks], dtype=float)
    link_density = link_chars / np.maximum(chars, 1)
    cum = np.cumsum(chars) - chars
    total = max(float(chars.sum()), 1.0)
    owner = np.zeros((n, len(OWNER_NAMES)))
    owner_idx = np.array([_OWNER_INDEX.get(b.owner_tag, -1) for b in blocks])
    known = owner_idx >= 0
    owner[np.flatnonzero(known), owner_idx[known]] = 1.0
    base = np.hstack([
        np.column_stack([
            link_density,
            log1p_counts([b.links for b in blocks]),
            (link_density > 0.9).astype(float),
            np.array([b.elements for b in blocks], dtype=float) / np.maximum(words, 1),
            log1p_counts([b.depth for b in blocks]),
            words / np.ceil(np.maximum(chars, 1) / WRAP_WIDTH),
            cum / total,
            np.arange(n) / max(n - 1, 1),
            np.array([b.hidden for b in blocks], dtype=float),
        ]),
        np.zeros((n, len(_VOTE_BASE_NAMES))),
        owner,
        _bits([b.tag_mask for b in blocks], len(ANCESTOR_NAMES)),
        _bits([b.near_mask for b in blocks], len(FAMILY_NAMES)),
        _bits([b.far_mask for b in blocks], len(FAMILY_NAMES)),
        _bits([b.inline_mask for b in blocks], len(FAMILY_NAMES)),
    ])
    neigh = base[:, [_D[name] for name in DOM_NEIGHBOUR_NAMES]]
    parts = [features.shift_rows(neigh, off) for off in DOM_NEIGHBOUR_OFFSETS]

    parents = np.array([b.parent for b in blocks])
    owners = np.array([b.owner_id for b in blocks])
    parent_link, parent_n = _group_mean(parents, link_density)
    parent_chars, _ = _group_mean(parents, chars)
    _, owner_n = _group_mean(owners, chars)
    parent_log_chars, _ = _group_mean(parents, log1p_counts(chars))
    zeros = np.zeros(n)
    group = np.column_stack([
        log1p_counts(parent_n), zeros, parent_link, parent_chars * parent_n / total,
        log1p_counts(owner_n), parent_log_chars,
    ])
    page = np.column_stack([
        np.full(n, math.log1p(n)),
        np.full(n, math.log1p(total)),
        np.full(n, link_chars.sum() / total),
        zeros, zeros, zeros, zeros,
    ])
    return np.hstack([base] + parts + [group, page])


def vote_features(blocks: Sequence[RawBlock], traf_text: str) -> np.ndarray:
    """The columns `VOTE_NAMES` of a page's blocks, from trafilatura's text of the page:
    whether it holds each block, and the same of the neighbours, parent group and page."""
    n = len(blocks)
    traf = TrafText.of(traf_text)
    votes = _traf_votes([b.text for b in blocks], traf)
    chars = np.array([len(b.text) for b in blocks], dtype=float)
    total = max(float(chars.sum()), 1.0)
    traf_in = votes[:, 0]
    columns = dict(zip(_VOTE_BASE_NAMES, votes.T, strict=True))
    for off in DOM_NEIGHBOUR_OFFSETS:
        for name in ("traf_in", "traf_cover"):
            columns[f"{name}@{off:+d}"] = features.shift_rows(columns[name], off)
    columns["parent_traf_share"] = _group_mean(np.array([b.parent for b in blocks]), traf_in)[0]
    columns["page_traf_share"] = np.full(n, float((chars * traf_in).sum() / total))
    columns["page_traf_empty"] = np.full(n, float(not traf.norm))
    columns["traf_run_before"], columns["traf_run_after"] = map(log1p_counts, _run_from(traf_in > 0))
    return np.column_stack([columns[name] for name in VOTE_NAMES]).reshape(n, len(VOTE_NAMES))


@dataclass
class PageBlocks:
    """A page's blocks: their text, and one feature row each (text features, then DOM)."""

    texts: list[str]
    X: np.ndarray  # without trafilatura's vote: its columns are zero
    raw: list[RawBlock]

    def with_vote(self, traf_text: str) -> np.ndarray:
        """The feature rows with trafilatura's vote filled in (a copy: `X` stays vote-free)."""
        X = self.X.copy()
        X[:, vote_columns(block_feature_names())] = vote_features(self.raw, traf_text)
        return X


#: A block gets the line model's text features when less than this share of its text is
#: link text. The rest (menus, link lists: about half a page's blocks, and 0.2 % of the
#: body blocks of the training pages) is told apart by its DOM features alone: the text
#: features cost as much as everything else together. The rule reads no vote, so the
#: features of a page before trafilatura runs are those after it, less the vote's columns.
TEXT_MAX_LINK_DENSITY = 0.5


@lru_cache(maxsize=1)
def block_feature_names() -> tuple[str, ...]:
    """The names of the columns of `PageBlocks.X`."""
    return tuple(f"text:{name}" for name in features.FEATURE_NAMES) + ("text_skipped",) + DOM_NAMES


@lru_cache(maxsize=8)
def vote_columns(names: tuple[str, ...]) -> np.ndarray:
    """Indices, in a matrix whose columns are `names`, of the columns of trafilatura's vote."""
    return np.array([i for i, name in enumerate(names) if name in _VOTE_SET], dtype=np.int64)


def without_vote(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Feature rows as they are before trafilatura runs (a copy): the vote's columns zero."""
    X = np.array(X, copy=True)
    X[:, vote_columns(names)] = 0
    return X


def page_blocks(blocks: list[RawBlock]) -> PageBlocks:
    """The feature matrix of a page's blocks, before trafilatura's vote.

    The text features of the blocks that get them are computed over those blocks alone,
    as the lines of one text, so their neighbours are the neighbouring prose blocks.
    """
    texts = [b.text for b in blocks]
    X_dom = dom_features(blocks)
    wanted = X_dom[:, _D["link_density"]] < TEXT_MAX_LINK_DENSITY
    X_text = np.zeros((len(blocks), len(features.FEATURE_NAMES)))
    rows = np.flatnonzero(wanted)
    if rows.size:
        X_text[rows] = features.document_features([texts[i] for i in rows])
    skipped = (~wanted).astype(float)[:, None]
    return PageBlocks(texts=texts, X=np.hstack([X_text, skipped, X_dom]), raw=blocks)
