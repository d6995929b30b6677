"""Readable text from a mail body: HTML turned into text, quoted earlier messages cut from replies."""

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from bs4.element import CData, NavigableString, PageElement, Tag

from amends.core.markup import html_unescape, long_charrefs_shorten

# Larger HTML, or HTML with more tags or entities, is stripped of its tags by regular expressions
# instead: an HTML parser spends seconds on it, and a mailbox must not stall on one message.
HTML_PARSE_LIMIT = 300_000
HTML_TAG_LIMIT = 20_000

_BLOCK_TAGS = frozenset({
    "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "section", "article", "header", "footer", "address", "dd", "dt", "hr", "body",
})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "meta", "noscript", "template", "object", "svg"})
# What mail clients wrap around the quoted earlier message in an HTML reply.
_QUOTE_CLASSES = frozenset({
    "gmail_quote", "gmail_extra", "moz-cite-prefix", "yahoo_quoted", "OutlookMessageHeader", "js-reply-quote",
})
# "[^<>]" keeps each match attempt from running past the next "<": linear on any input.
_TAG = re.compile(r"<[^<>]*>")
_INVISIBLE_START = re.compile(r"<(script|style|head|title)\b")
_LINE_BREAKING = re.compile(r"(?i)<(br|/?p|/div|/tr|/li|/h[1-6]|hr)\b[^<>]*>")
_SPACES = re.compile(r"[ \t\u00a0\u200b\ufeff]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Unix line ends, no control characters or lone surrogates (PostgreSQL refuses NUL), tidy blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, *, drop_quotes: bool = False) -> str:
    """What a reader of the HTML would see: paragraphs and line breaks kept, links with their address.

    The tree is walked once with an explicit stack and never modified: changing a deeply nested
    tree costs BeautifulSoup time that grows with the square of its depth."""
    if len(html) > HTML_PARSE_LIMIT or html.count("<") + html.count("&") > HTML_TAG_LIMIT:
        return _rough_text(html)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(long_charrefs_shorten(html), "html.parser")
    out: list[str] = []
    stack: list[tuple[PageElement, int]] = [(soup, -1)]  # (element, -1 on the way in / start of its text)
    while stack:
        node, started = stack.pop()
        if started >= 0:  # leaving a tag
            assert isinstance(node, Tag)  # only tags are pushed with a start index
            _close(node, out, started)
            continue
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):
                out.append(str(node))
            continue
        if not isinstance(node, Tag) or node.name in _SKIPPED_TAGS:
            continue
        if drop_quotes and _is_quote(node):
            if node.get("id") == "appendonsend":  # Outlook: everything after it is the quoted message
                break
            continue
        if node.name == "br":
            out.append("\n")
            continue
        if node.name in _BLOCK_TAGS:
            out.append("\n")
        stack.append((node, len(out)))
        stack.extend((child, -1) for child in reversed(node.contents))
    return clean_text("".join(out))


def _rough_text(html: str) -> str:
    lower, kept, position = html.lower(), [], 0
    while (start := _INVISIBLE_START.search(lower, position)) is not None:
        kept.append(html[position:start.start()])
        end = lower.find(f"</{start.group(1)}", start.end())
        close = lower.find(">", end) if end >= 0 else -1
        if close < 0:
            position = len(html)
            break
        position = close + 1
    kept.append(html[position:])
    html = _LINE_BREAKING.sub("\n", " ".join(kept))
    return clean_text(html_unescape(_TAG.sub(" ", html)))


def _close(tag: Tag, out: list[str], started: int) -> None:
    if tag.name in _BLOCK_TAGS:
        out.append("\n")
    elif tag.name in ("td", "th"):
        out.append(" ")
    elif tag.name == "a":
        href = str(tag.get("href") or "").strip()
        label = "".join(out[started:]).strip()
        if href.startswith(("http://", "https://")) and label and href not in label:
            out.append(f" ({href})")


def _is_quote(tag: Tag) -> bool:
    if tag.name == "blockquote" or tag.get("id") == "appendonsend":
        return True
    classes: str | list[str] = tag.get("class") or []
    return tag.name == "div" and any(name in _QUOTE_CLASSES for name in classes)


# Lines that start the quoted earlier message, in the wordings of common mail clients.
_SEPARATOR = re.compile(
    r"^(-{2,}\s*(original\s+message|исходное\s+сообщение|пересылаемое\s+сообщение|forwarded\s+message)\s*-*|_{10,})$",
    re.IGNORECASE,
)
# "On Mon, 3 Mar 2025 at 10:00, Anna <a@b.ru> wrote:", "пн, 3 мар. 2025 г. в 10:00, Анна <a@b.ru>:",
# "03.03.2025, 10:00, "Анна" <a@b.ru>:"; it counts only when "> " lines follow. See _is_attribution.
# The lookahead on the first letters spares trying every alternative at every position.
_ATTRIBUTION_VERB = re.compile(
    r"(?=[wнпsa])(wrote|написал\(а\)|написала?|пишет|писал\(а\)|schrieb|a\s+écrit)\s*:$", re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_TIME_AT = re.compile(r"(?=(\d{1,2}:\d{2}))")
_HEADER_BLOCK = re.compile(r"^\*?(from|от|von|de)\s*:\*?\s", re.IGNORECASE)
_HEADER_FOLLOW = re.compile(
    r"^\*?(sent|date|to|subject|отправлено|дата|кому|тема|gesendet|an|betreff|envoyé|objet)\s*:", re.IGNORECASE,
)


def _quote_starts(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _SEPARATOR.match(line):
        return True
    following = [nxt.strip() for nxt in lines[index + 1:index + 6] if nxt.strip()]
    if _HEADER_BLOCK.match(line):
        return any(_HEADER_FOLLOW.match(nxt) for nxt in following[:4])
    if len(line) > 300:
        return False
    if line.endswith(":"):
        return bool(following) and following[0].startswith(">") and _is_attribution(line)
    # Gmail wraps a long attribution over two lines.
    if len(following) > 1 and following[0].endswith(":") and following[1].startswith(">"):
        return len(following[0]) < 300 and _is_attribution(f"{line} {following[0]}")
    return False


def _is_attribution(line: str) -> bool:
    """Whether a stripped line matches
    ^(.{0,250}\\d.{0,250}VERB|.{0,250}\\d{1,2}:\\d{2}.{0,150}\\S+@\\S+)\\s*:$ (VERB: "wrote", "пишет"...),
    decided from its end: that regular expression retried every split of the line, and 5,000 lines
    of 300 digits and a colon kept a worker busy for over a minute."""
    if not line.endswith(":"):
        return False
    verb = _ATTRIBUTION_VERB.search(line)
    # A digit with at most 250 characters before it and at most 250 between it and the verb.
    if verb is not None and _DIGIT.search(line, max(0, verb.start() - 251), min(251, verb.start())):
        return True
    # The address is inside the last word: from its first character up to the one before its last "@".
    end = len(line[:-1].rstrip())
    word = line[:end].rsplit(None, 1)[-1] if end else ""
    first, at = end - len(word), end - len(word) + word.rfind("@", 0, len(word) - 1)
    if at <= first:
        return False
    for time in _TIME_AT.finditer(line, 0, min(len(line), at)):
        if time.start() > 250:
            break
        # The address starts at or after the time's end, at most 150 characters later.
        if first - 150 <= time.start() + len(time.group(1)) < at:
            return True
    return False


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at the line introducing the quoted message, drop "> " lines.
    When nothing new would be left, the whole text is kept."""
    lines = text.split("\n")
    cut = len(lines)
    for index in range(min(len(lines), 5000)):
        if index and _quote_starts(lines, index):
            cut = index
            break
    new = [line for line in lines[:cut] if not line.lstrip().startswith(">")]
    result = clean_text("\n".join(new))
    return result or text
