"""Message bodies as helpdesks export them, made into the text a turn holds: HTML to text
(stdlib html.parser), quoted replies and signatures cut from email bodies, English and French.

    html_to_text(html)       block elements and <br> become line breaks, list items "- " / "1. ",
                             links keep their text, <blockquote> lines are marked "> "
    strip_quoted(text)       cut at "On ... wrote:", "Le ... a écrit :", "-----Original Message-----",
                             an Outlook "From:/Sent:/To:" header block; drop "> " lines
    strip_signature(text)    cut at "-- ", "Sent from my iPhone", "Envoyé de mon iPhone", and a
                             sign-off ("Best regards," / "Cordialement,") followed by a few short
                             name/title lines at the end
    clean_email(text)        both, in that order, blank runs squeezed
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["clean_email", "html_to_text", "strip_quoted", "strip_signature"]

_BLOCKS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tr",
        "pre",
        "address",
        "hr",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "form",
        "fieldset",
        "figure",
        "center",
    ]
)
_PARAGRAPHS = frozenset(["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "blockquote"])
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")


class _TextParser(HTMLParser):
    """Collects text, turning the document's structure into line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.pre = 0
        self.quote = 0
        self.lists: list[list[int]] = []  # one counter per open <ol> ([0]) or <ul> ([-1])

    def _break(self, blank: bool = False) -> None:
        """End the current line; `blank` also leaves an empty line after a paragraph."""
        line = "".join(self.current)
        line = line if self.pre else _SPACE.sub(" ", line).strip()
        if line:
            self.lines.append(("> " * self.quote) + line)
        elif blank and self.lines and self.lines[-1]:
            self.lines.append("")
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self._break(blank=not "".join(self.current).strip())
        elif tag in ("ul", "ol"):
            self._break()
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._break()
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                self.current.append(f"{counter[0]}. ")
            else:
                self.current.append("- ")
        elif tag == "blockquote":
            self._break(blank=True)
            self.quote += 1
        elif tag in _BLOCKS:
            self._break(blank=tag in _PARAGRAPHS)
            self.pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in ("ul", "ol"):
            self._break()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._break()
            self.quote = max(0, self.quote - 1)
            self._break(blank=True)
        elif tag in _BLOCKS or tag == "li":
            self._break(blank=tag in _PARAGRAPHS)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines).strip()


def html_to_text(html: str) -> str:
    """The text of an HTML body, its line breaks, list items and links' text kept."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


# --- quoted replies ------------------------------------------------------------------------

_QUOTE_HEADERS = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Le\b.{0,300}\ba\s+écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Message d'origine|Message original)\s*-{2,}", re.I),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above the quoted header block
]
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|De)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(Sent|Date|To|Subject|Cc|Envoyé|À|A|Objet)\s*:\*?\s", re.IGNORECASE
)


def _is_outlook_header(lines: list[str], i: int) -> bool:
    """A "From:" line followed by at least two more header lines (Sent/To/Subject...)."""
    if not _OUTLOOK_FROM.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 5] if line.strip()]
    return sum(bool(_OUTLOOK_NEXT.match(line)) for line in following) >= 2


def _quote_starts(lines: list[str], i: int) -> bool:
    line = lines[i]
    if any(p.match(line) for p in _QUOTE_HEADERS) or _is_outlook_header(lines, i):
        return True
    # "On Tue, 1 Dec 2026 at 10:02, Ana <ana@example.com>" / "wrote:" wrapped over two lines
    if i + 1 < len(lines) and re.match(r"^\s*(On|Le)\b", line, re.IGNORECASE):
        joined = f"{line.rstrip()} {lines[i + 1].strip()}"
        return any(p.match(joined) for p in _QUOTE_HEADERS[:2])
    return False


def strip_quoted(text: str) -> str:
    """The reply without the message it quotes."""
    lines = text.splitlines()
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _quote_starts(lines, i):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


# --- signatures ----------------------------------------------------------------------------

_MOBILE = re.compile(
    r"^\s*(Sent from (my|Mail|Yahoo|Outlook)\b|Sent via\b|Get Outlook for\b|"
    r"Envoyé (de|depuis) (mon|Yahoo|Outlook|Mail)\b|Obtenir Outlook pour\b)",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(best( regards| wishes)?|kind regards|warm regards|regards|many thanks|thanks( again)?|"
    r"thank you|cheers|sincerely|yours( sincerely| truly)?|all the best|"
    r"cordialement|bien cordialement|très cordialement|bien à (vous|toi)|salutations|"
    r"meilleures salutations|sincères salutations|merci( beaucoup| d'avance)?|bonne journée|"
    r"à bientôt)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
SIGNATURE_LINES = 4  # name, title, company, phone under a sign-off
SIGNATURE_LINE_CHARS = 60


def strip_signature(text: str) -> str:
    """The message without its signature. A bare "Thanks!" ending the message is kept: only a
    sign-off followed by 1-4 short lines (the name block) is a signature."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.rstrip() in ("--", "-- ", "—") or line == "-- " or _MOBILE.match(line):
            lines = lines[:i]
            break
    tail = [i for i, line in enumerate(lines) if line.strip()]
    for i in tail[-(SIGNATURE_LINES + 1) :]:
        after = [line for line in lines[i + 1 :] if line.strip()]
        if (
            _SIGN_OFF.match(lines[i])
            and 1 <= len(after) <= SIGNATURE_LINES
            and all(len(line.strip()) <= SIGNATURE_LINE_CHARS for line in after)
        ):
            lines = lines[:i]
            break
    return "\n".join(lines).strip()


def clean_email(text: str) -> str:
    """An email body without its quoted reply and signature, blank-line runs squeezed."""
    cleaned = strip_signature(strip_quoted(text))
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", cleaned).strip()
