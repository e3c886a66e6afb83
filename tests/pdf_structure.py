"""What a screen reader gets from a PDF: its tags (issue 14, part 4).

Reads a PDF's structure tree with pikepdf and checks what PDF/UA-1 asks of every document we issue:
marked as tagged, a language, a title shown instead of the file name, the PDF/UA identification in
its metadata, and a tree whose elements are the document's headings, paragraphs, tables and figures,
each figure with alternative text."""

import io
from dataclasses import dataclass, field

import pikepdf


@dataclass
class PdfStructure:
    title: str
    language: str
    kinds: list[str] = field(default_factory=list)  # structure types, in reading order
    figures_without_alt: int = 0
    figure_alts: list[str] = field(default_factory=list)


def _walk(node, structure: PdfStructure) -> None:
    if isinstance(node, pikepdf.Array):
        for child in node:
            _walk(child, structure)
        return
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return
    kind = str(node.S).lstrip("/")
    structure.kinds.append(kind)
    if kind == "Figure":
        if "/Alt" in node and str(node.Alt).strip():
            structure.figure_alts.append(str(node.Alt))
        else:
            structure.figures_without_alt += 1
    if "/K" in node:
        _walk(node.K, structure)


def pdf_structure(data: bytes) -> PdfStructure:
    """The document's tags, after asserting the catalogue entries PDF/UA-1 requires."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked, "not marked as a tagged PDF"
        assert bool(root.ViewerPreferences.DisplayDocTitle), "shows the file name, not the title"
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1", "no PDF/UA-1 identification"
        title = str(metadata.get("dc:title") or pdf.docinfo.get("/Title") or "")
        structure = PdfStructure(title=title, language=str(root.get("/Lang", "")))
        _walk(root.StructTreeRoot.K, structure)
    return structure
