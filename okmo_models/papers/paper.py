"""One paper of a kenesh package, as data, and its two renderings: PDF and DOCX.

A paper is a list of blocks (headings, paragraphs, tables, blanks to fill in, signature lines,
one chart). The PDF is printed by Chromium from HTML, as the reports are; the DOCX is written
by python-docx for the secretary who edits the draft. Both walk the same blocks in the same
order, so their text is the same word for word (tests/test_papers.py compares them).

Why our own small model instead of converting the HTML to DOCX (pandoc, html2docx): a
converter loses the page setup, the footer's page numbers and the signature table's layout,
and adds a tool; five block types cover every paper a kenesh adopts.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from importlib import resources

NBSP = "\u00a0"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: the paper's title, 2: a section


@dataclass(frozen=True)
class Para:
    text: str
    align: str = "indent"  # indent (a paragraph of the body), center, right, left
    bold: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned right
    total: bool = False  # the last row is a total (bold)
    nowrap: tuple[int, ...] = ()  # columns kept on one line (units)


@dataclass(frozen=True)
class Blank:
    """A place to fill in by hand: a label and ruled lines."""

    label: str
    lines: int = 1


@dataclass(frozen=True)
class Signatures:
    """Who signs: (position, name or blank). Kept on one page with the paragraph before."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Chart:
    """A chart as one PNG in both renderings (its labels are the caption's and the tables'
    figures; the same picture keeps the two texts equal)."""

    png: bytes
    caption: str
    width_cm: float = 16.0


@dataclass(frozen=True)
class Paper:
    """A paper: its header lines (the municipality, the body that adopts it), the blocks, and
    the footer's page label ("Стр. {page} из {pages}")."""

    header: tuple[str, ...]
    blocks: tuple = field(default_factory=tuple)
    page_label: str = "{page} / {pages}"
    draft_mark: str = ""  # "ПРОЕКТ" on a draft decision, top right
    compact: bool = False  # smaller type, to keep a summary on one page

    def text(self) -> list[str]:
        """The paper's text in reading order (what both renderings show)."""
        out = [self.draft_mark] if self.draft_mark else []
        out += [line.upper() for line in self.header]
        for b in self.blocks:
            if isinstance(b, (Heading, Para)):
                out.append(b.text)
            elif isinstance(b, Table):
                out += list(b.headers) + [cell for row in b.rows for cell in row]
            elif isinstance(b, Blank):
                out.append(b.label)
            elif isinstance(b, Signatures):
                out += [cell for row in b.rows for cell in row]
            elif isinstance(b, Chart):
                out.append(b.caption)
        return [t for t in out if t]


# --- HTML for the PDF ---------------------------------------------------------------------------


def _nb(text: str) -> str:
    """A hyphen after a figure made unbreakable: "2021-жылдын", "1-январынан", "2026–2028-жылдарга"
    never split at the line's end."""
    return re.sub(r"(?<=\d)-(?=\w)", "\u2011", text)


def _e(text: str) -> str:
    return html.escape(_nb(text))


def _page_css(label: str) -> str:
    """CSS ``content`` of the footer: the label's text around counter(page) and counter(pages)."""
    parts = []
    rest = label
    while rest:
        head, sep, rest = rest.partition("{")
        if head:
            parts.append('"' + head.replace('"', '\\"') + '"')
        if sep:
            name, _, rest = rest.partition("}")
            parts.append(f"counter({name})")
    return " ".join(parts)


def to_html(paper: Paper) -> str:
    """The paper as one HTML page for Chromium to print on A4."""
    css = resources.files("okmo_models.papers").joinpath("paper.css").read_text("utf-8")
    body = []
    if paper.draft_mark:
        body.append(f'<p class="draft">{_e(paper.draft_mark)}</p>')
    body += [f'<p class="header">{_e(line.upper())}</p>' for line in paper.header]
    blocks = list(paper.blocks)
    for i, b in enumerate(blocks):
        if isinstance(b, Signatures):
            continue  # printed with the paragraph before it, below
        if i + 1 < len(blocks) and isinstance(blocks[i + 1], Signatures):
            body.append(f'<div class="keep">{_block_html(b)}{_block_html(blocks[i + 1])}</div>')
        else:
            body.append(_block_html(b))
    page = f"@page {{ @bottom-center {{ content: {_page_css(paper.page_label)}; }} }}"
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}\n{page}</style></head>'
            f'<body class="{"compact" if paper.compact else ""}">{"".join(body)}</body></html>')


def _block_html(b) -> str:
    if isinstance(b, Heading):
        return f"<h{b.level}>{_e(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        return f'<p class="{b.align}{" bold" if b.bold else ""}">{_e(b.text)}</p>'
    if isinstance(b, Table):
        def cells(row, tag):
            def css(i):
                names = ("num" if i in b.numeric else "") + (" nowrap" if i in b.nowrap else "")
                return f' class="{names.strip()}"' if names.strip() else ""
            return "".join(f"<{tag}{css(i)}>{_e(c)}</{tag}>" for i, c in enumerate(row))
        rows = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in b.rows)
        return (f'<table class="{"total" if b.total else ""}"><thead><tr>{cells(b.headers, "th")}</tr></thead>'
                f"<tbody>{rows}</tbody></table>")
    if isinstance(b, Blank):
        lines = "".join('<div class="line"></div>' for _ in range(b.lines))
        return f'<div class="blank"><p>{_e(b.label)}</p>{lines}</div>'
    if isinstance(b, Signatures):
        rows = "".join(f'<tr><td>{_e(who)}</td><td class="sign"></td><td>{_e(name)}</td></tr>' for who, name in b.rows)
        return f'<table class="signatures"><tbody>{rows}</tbody></table>'
    if isinstance(b, Chart):
        data = base64.b64encode(b.png).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" style="width:{b.width_cm}cm">'
                f'<figcaption>{_e(b.caption)}</figcaption></figure>')
    raise TypeError(type(b))


# --- DOCX for the secretary ---------------------------------------------------------------------


def to_docx(paper: Paper) -> bytes:
    """The paper as a Word document: A4, the same blocks, page numbers in the footer."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    align = {"indent": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
             "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(10.5 if paper.compact else 12)
    _footer_page_numbers(section.footer.paragraphs[0], paper.page_label)

    def para(text, how="left", bold=False, size=None):
        p = doc.add_paragraph()
        p.alignment = align[how]
        if how == "indent":
            p.paragraph_format.first_line_indent = Cm(1.2)
        run = p.add_run(_nb(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        return p

    if paper.draft_mark:
        para(paper.draft_mark, "right", bold=True)
    for line in paper.header:
        para(line.upper(), "center", bold=True)
    blocks = list(paper.blocks)
    for i, b in enumerate(blocks):
        keep = i + 1 < len(blocks) and isinstance(blocks[i + 1], Signatures)
        if isinstance(b, Heading):
            p = para(b.text, "center", bold=True, size=14 if b.level == 1 else 12)
        elif isinstance(b, Para):
            p = para(b.text, b.align, bold=b.bold)
        elif isinstance(b, Table):
            table = doc.add_table(rows=1 + len(b.rows), cols=len(b.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate((b.headers, *b.rows)):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = _nb(text)
                    cell_p = cell.paragraphs[0]
                    if c in b.numeric:
                        cell_p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    if r == 0 or (b.total and r == len(b.rows)):
                        for run in cell_p.runs:
                            run.bold = True
                    for run in cell_p.runs:
                        run.font.size = Pt(10)
            p = None
        elif isinstance(b, Blank):
            p = para(b.label)
            for _ in range(b.lines):
                para("_" * 60)
        elif isinstance(b, Signatures):
            table = doc.add_table(rows=len(b.rows), cols=3)
            for r, (who, name) in enumerate(b.rows):
                table.cell(r, 0).text, table.cell(r, 1).text, table.cell(r, 2).text = _nb(who), "_" * 20, _nb(name)
            p = None
        elif isinstance(b, Chart):
            doc.add_picture(io.BytesIO(b.png), width=Cm(b.width_cm))
            p = para(b.caption, "center")
        else:
            raise TypeError(type(b))
        if keep and p is not None:
            p.paragraph_format.keep_with_next = True
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _footer_page_numbers(paragraph, label: str) -> None:
    """The footer's "Стр. N из M" with Word's PAGE and NUMPAGES fields."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rest = label
    while rest:
        head, sep, rest = rest.partition("{")
        if head:
            paragraph.add_run(head)
        if sep:
            name, _, rest = rest.partition("}")
            run = paragraph.add_run()
            for kind, text in (("begin", None), (None, {"page": "PAGE", "pages": "NUMPAGES"}[name]), ("end", None)):
                if kind:
                    element = OxmlElement("w:fldChar")
                    element.set(qn("w:fldCharType"), kind)
                else:
                    element = OxmlElement("w:instrText")
                    element.set(qn("xml:space"), "preserve")
                    element.text = text
                run._r.append(element)


def docx_text(data: bytes) -> list[str]:
    """The text of a DOCX in reading order: paragraphs and table cells (tests and checks)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    out = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in child.iter() if node.tag.endswith("}t"))
            if text:
                out.append(text)
        elif tag == "tbl":
            for cell in child.iter():
                if cell.tag.endswith("}tc"):
                    text = "".join(node.text or "" for node in cell.iter() if node.tag.endswith("}t"))
                    if text:
                        out.append(text)
    return out
