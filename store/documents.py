"""A plan's text from an uploaded document: plain text, Word (.docx) or a PDF with a text layer.

Every upload is hostile. The checks that need no parsing run here, bounded by the file's size: empty,
over `plan_upload_mb`, the type sniffed from the bytes (never the name), NUL bytes in text, a .docx's
zip directory (store/readers.py's own bomb checks). Word and PDF are then parsed in a child
interpreter (`python -m store.documents`) whose address space is capped at `check_memory_mb` and
which is killed after `check_timeout` seconds, as the file-checking worker is (store/worker.py; that
worker is built around ingest, so this is one small `subprocess.run`). Every refusal is one
`DocumentRejected` carrying a Message that names the file and the reason.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import unicodedata

from domain.config import ROOT, child_environment, settings
from domain.messages import Message
from store import readers

TEXT, DOCX, PDF = "text", "docx", "pdf"


class DocumentRejected(ValueError):
    """The document cannot be read; `reason` is a Message naming the file and why."""

    def __init__(self, reason: Message):
        self.reason = reason
        super().__init__(reason)


def _refuse(name: str, why: Message) -> DocumentRejected:
    return DocumentRejected(Message.of("plans.file.rejected", name=name, reason=why))


def sniff(data: bytes) -> str:
    """The document's type from its first bytes: a zip (a .docx), a PDF, or text."""
    if data.startswith(b"PK\x03\x04"):
        return DOCX
    if data.lstrip()[:5] == b"%PDF-":
        return PDF
    return TEXT


def _keep(ch: str) -> bool:
    return ch in "\n\t" or unicodedata.category(ch)[0] != "C"


# Full-width digits, Latin letters and ％ become their ASCII forms; Chinese punctuation （），：；
# stays as written, which NFKC would change to ASCII.
_WIDE = {c: unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                                            *range(0xFF41, 0xFF5B), 0xFF05)}
_WIDE[0x3000] = "\u3000"  # the ideographic space indents paragraphs: kept


def normalise(text: str) -> str:
    """The text as stored and quoted: line ends as \\n, control characters (NUL …) dropped, full-width
    digits, letters and ％ in their ASCII form, a full-width point between digits as "."; all other
    characters, Chinese punctuation included, as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_WIDE)
    chars = [ch for ch in text if _keep(ch)]
    for i, ch in enumerate(chars):
        if ch == "．" and 0 < i < len(chars) - 1 and chars[i - 1].isdigit() and chars[i + 1].isdigit():
            chars[i] = "."
    return "".join(chars)


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data:  # text has no NUL; UTF-16 and binary files do
        raise _refuse(name, Message.of("plans.file.binary"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(name, Message.of("plans.file.encoding"))


# The longest seed is 26 000 characters and a plan with its annexes rarely passes 100 000; a text
# beyond this is not a plan (a statistical yearbook, a file of numbers), and reading it for commitments
# would hold the server's interpreter for seconds (bench/EXTRACT.md: about 4 CPU s per 860 000 characters).
MAX_PLAN_CHARS = 300_000


def read_plan_text(name: str, data: bytes) -> str:
    """The normalised text of a plan document (see `normalise`): this is the text to store and to
    find quotes in, not the file's bytes. Raises DocumentRejected."""
    limit = settings().plan_upload_mb
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise _refuse(name, Message.of("validation.file.empty"))
    if len(data) > limit * 2**20:
        raise _refuse(name, Message.of("validation.file.too_large", size=len(data) / 2**20, limit=limit))
    kind = sniff(data)
    if kind == TEXT:
        text = _decode(name, data)
    else:
        if kind == DOCX:
            try:
                readers._check_archive(data)  # the workbook's zip checks hold for any OOXML file
            except readers.FileRejected as e:
                why = e.reason
                if why.code == "validation.file.damaged_xlsx":  # its words name a workbook
                    why = Message.of("plans.file.damaged", kind="DOCX", error=str(why.kwargs.get("error", ""))[:200])
                raise _refuse(name, why) from None
        text = _in_child(name, kind, data)
    text = normalise(text)
    if not text.strip():
        raise _refuse(name, Message.of("plans.file.no_text_pdf" if kind == PDF else "plans.file.no_text"))
    if len(text) > MAX_PLAN_CHARS:  # the extractor then runs in the server's own interpreter: bound its work
        raise _refuse(name, Message.of("plans.file.too_long", chars=len(text), limit=MAX_PLAN_CHARS))
    return text


def _limit(memory_mb: int):
    def apply() -> None:
        cap = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _in_child(name: str, kind: str, data: bytes) -> str:
    s = settings()
    try:
        done = subprocess.run([sys.executable, "-m", "store.documents", kind], input=data, capture_output=True,
                              timeout=s.check_timeout, cwd=ROOT, env=child_environment(),
                              preexec_fn=_limit(s.check_memory_mb))
    except subprocess.TimeoutExpired:
        raise _refuse(name, Message.of("plans.file.timeout", seconds=s.check_timeout)) from None
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        answer = {"error": "memory" if b"MemoryError" in done.stderr else "damaged"}
    if "error" in answer:
        if answer["error"] == "memory":
            raise _refuse(name, Message.of("plans.file.memory", limit=s.check_memory_mb))
        raise _refuse(name, Message.of("plans.file.damaged", kind=kind.upper(), error=answer.get("detail", "")[:200]))
    return answer["text"]


# --------------------------------------------------------------------------------- the child


def _docx_text(data: bytes) -> str:
    """Paragraphs and table cells in document order (a cell merged across columns once)."""
    import io

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(io.BytesIO(data))
    out: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                seen: list[object] = []
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.append(cell._tc)
                    out.append(cell.text)
    return "\n".join(out)


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _child(kind: str) -> None:
    data = sys.stdin.buffer.read()
    try:
        text = _docx_text(data) if kind == DOCX else _pdf_text(data)
        answer = {"text": text}
    except MemoryError:
        answer = {"error": "memory"}
    except Exception as e:
        answer = {"error": "damaged", "detail": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    _child(sys.argv[1])
    sys.exit(0)
