"""Text pieces of a generated module: docstrings from NatSpec (ASCII, wrapped), Python string
literals, and the sort keys ruff's isort uses for ``__all__`` and imports."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from .._artifacts import Artifact
from .model import Param

__all__ = ["all_key", "doc_lines", "docstring", "from_import", "import_key", "natspec", "py_str", "py_strs"]


# typographic characters NatSpec authors use, written in ASCII (ruff flags them as ambiguous)
_TYPOGRAPHIC = str.maketrans({
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "--", "\u2018": "'",
    "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2026": "...", "\u00d7": "x",
    "\u2009": " ", "\u202f": " ",
})
_DOC_WIDTH = 100


def doc_text(text: str) -> str:
    """Docstring-safe text: ASCII only (other characters as escapes), no triple quotes."""
    text = text.translate(_TYPOGRAPHIC)
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = "".join(
        ch if ord(ch) < 128 else (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        for ch in text
    )
    return text


def _wrap(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]
    lead = " " * (len(line) - len(line.lstrip(" ")))
    hanging = "    " if re.match(r"\s+[A-Za-z_][A-Za-z0-9_]*: ", line) else ""
    return textwrap.wrap(
        line, width=width, subsequent_indent=lead + hanging,
        break_long_words=False, break_on_hyphens=False,
    ) or [line]


def docstring(lines: Sequence[str], indent: str) -> list[str]:
    cleaned = [ln.rstrip() for ln in lines]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    while cleaned and not cleaned[0]:
        cleaned.pop(0)
    if not cleaned:
        return []
    width = _DOC_WIDTH - len(indent) - 3
    cleaned = [doc_text(part) for ln in cleaned for part in _wrap(ln, width)]
    if len(cleaned) == 1:
        only = cleaned[0][:-1] + '\\"' if cleaned[0].endswith('"') else cleaned[0]
        return [f'{indent}"""{only}"""']
    out = [f'{indent}"""{cleaned[0]}']
    out += [f"{indent}{ln}" if ln else "" for ln in cleaned[1:]]
    out.append(f'{indent}"""')
    return out


def natspec(text: Any) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return []
    return [ln.strip() for ln in text.strip().splitlines()]


def _doc_entry(art: Artifact, kind: str, signature: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    dev = art.devdoc.get(kind, {}) if isinstance(art.devdoc, Mapping) else {}
    user = art.userdoc.get(kind, {}) if isinstance(art.userdoc, Mapping) else {}
    d = dev.get(signature, {}) if isinstance(dev, Mapping) else {}
    u = user.get(signature, {}) if isinstance(user, Mapping) else {}
    if isinstance(d, list):  # errors: a list, one per definition
        d = d[0] if d and isinstance(d[0], Mapping) else {}
    if isinstance(u, list):
        u = u[0] if u and isinstance(u[0], Mapping) else {}
    return (d if isinstance(d, Mapping) else {}), (u if isinstance(u, Mapping) else {})

def doc_lines(art: Artifact, kind: str, signature: str, params: Sequence[Param],
          outputs: Sequence[Param] = (), tail: str = "") -> list[str]:
    dev, user = _doc_entry(art, kind, signature)
    lines = natspec(user.get("notice"))
    details = natspec(dev.get("details"))
    if details:
        lines += [""] if lines else []
        lines += details
    pdoc = dev.get("params", {}) if isinstance(dev.get("params"), Mapping) else {}
    documented = [(p, pdoc.get(p.sol)) for p in params if isinstance(pdoc.get(p.sol), str)]
    if documented:
        lines += ["", "Args:"] if lines else ["Args:"]
        lines += [f"    {p.py}: {' '.join(natspec(text))}" for p, text in documented]
    rdoc = dev.get("returns", {}) if isinstance(dev.get("returns"), Mapping) else {}
    returned = []
    for i, p in enumerate(outputs):
        text = rdoc.get(p.sol) if p.sol else rdoc.get(f"_{i}")
        if isinstance(text, str):
            returned.append(f"    {p.py}: {' '.join(natspec(text))}")
    if returned:
        lines += ["", "Returns:"] if lines else ["Returns:"]
        lines += returned
    if tail:
        lines += ["", tail] if lines else [tail]
    return lines


def from_import(module: str, names: Sequence[str]) -> str:
    """``from module import a, b``, wrapped one name a line past 100 characters (as ruff formats it)."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= 100:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"


def py_str(text: str) -> str:
    """A double-quoted Python string literal (JSON escapes are valid Python escapes)."""
    return json.dumps(text, ensure_ascii=True)


def py_strs(items: Sequence[str]) -> str:
    """A tuple literal of double-quoted strings."""
    inner = ", ".join(py_str(i) for i in items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def all_key(name: str) -> tuple[int, list[Any]]:
    """ruff RUF022's isort-style order: CONSTANTS, then Classes, then the rest, naturally sorted."""
    natural: list[Any] = [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]
    if name.isupper():
        return (0, natural)
    if name[:1].isupper():
        return (1, natural)
    return (2, natural)


def import_key(name: str) -> tuple[int, str]:
    # isort "force-sort-within-sections" default: CONSTANTS, Classes, functions
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)
