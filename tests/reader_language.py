"""Is a Russian or Kyrgyz output wholly in the reader's language? (issue 16)

:func:`foreign_words` lists the Latin-script words of a ru/ky text that a reader should not
meet: English words, codes, ids and file paths. What may stay is short and reviewed:

- proper names of programs, formats and standards (``ALLOWED``), the name of the language
  English in a language chooser;
- what the reader typed or must type: their own file names (``own``), values quoted «…»,
  command-line options (``--lang``) and the choices in braces argparse prints (``{ru,ky}``),
  a command to type (``okmo tariff``);
- web addresses of sources and checksums (hexadecimal digests), which are not words;
- single letters: a formula's variables (T = C / V) and a cell's column (B12), written in
  Latin in Russian and Kyrgyz texts as well.
"""

from __future__ import annotations

import re
from collections import Counter

# Reviewed: every entry is a proper name a Russian- or Kyrgyz-speaking economist meets as is.
ALLOWED = frozenset({
    "SHA", "PDF", "DOCX", "Excel", "Word", "LibreOffice", "CSV", "JSON", "YAML", "TOML", "UTF",
    "Voilà", "Voila", "Chromium", "Jupyter", "okmo", "English", "Dask",
    "IBNET",  # the World Bank's benchmarking network for water utilities, cited by the outlier rules
    "xlsx", "yaml", "toml", "csv", "docx", "pdf", "json",  # file extensions named as formats
})

_URL = re.compile(r"(?:https?://|www\.)\S+")
_QUOTED = re.compile(r"«[^»\n]*»?")
# a digest, or the piece of one that a PDF's line break leaves ("…8c7fc;" at a line's start):
# digits and hex letters mixed, which no word of any language is
_HEX = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{4,}\b")
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
_CHOICES = re.compile(r"\{[\w,.-]+\}")
_COMMAND = re.compile(r"\bokmo(?: [a-z]+)?\b")


def foreign_words(text: str, own=()) -> Counter:
    """The Latin-script words of ``text`` a ru/ky reader should not meet, with their counts."""
    for name in sorted(own, key=len, reverse=True):  # the reader's own names, longest first
        text = text.replace(str(name), " ")
    for pattern in (_URL, _QUOTED, _HEX, _OPTION, _CHOICES, _COMMAND):
        text = pattern.sub(" ", text)
    words = re.findall(r"[A-Za-z][A-Za-z']+", text)
    return Counter(w for w in words if w not in ALLOWED)
