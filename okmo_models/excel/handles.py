"""The names a workbook shows for a scenario's own ids, and the ids they are read back to.

A scenario file names its sources, categories, components, measures, indicators, criteria
and scenarios by ids (``wage_issyk_kul``, ``unmetered``, ``sewer_plant``) so that its entries
can refer to one another. A Russian or Kyrgyz reader should not meet them: a workbook shows
each id by a *handle* in the reader's language instead, the entry's own name
(«Население без счётчиков») or, for a source, its number as the justification cites it
(«Источник 3»), both where the entry is defined and wherever it is referred to. The
workbook's hidden ``_okmo`` sheet keeps which handle stands for which id, so that the import
gives every id back exactly as the file had it. An entry the economist adds is named by any
text; the import makes it an id (Latin letters, as the schema asks) and reads every
reference to that text as that id. A reference to a name defined nowhere stays as typed,
for the whole-file checks to report in the reader's own words.

Ids are translated on the scenario's data, before the workbook is written and after it is
read, so that the layout and the cell reading know nothing of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from okmo_models.i18n import LANGUAGES, t

META_ROW = "handle"  # a row of the _okmo sheet: "handle", namespace, id, handle

# Where a scenario defines ids: a top-level list of items with an ``id``, the items' ids
# inside another list, or the keys of a top-level mapping.
_LISTS = {"categories": "categories", "components": "components", "measures": "measures",
          "settlements": "settlements", "objects": "objects"}
_NESTED_LISTS = {("measures", "indicators"): "indicators", ("objects", "options"): "options"}
# Nested ids unique only within their item (an object's options: the school's "annex" and the
# kindergarten's "annex" are two options): named within the item's namespace, "options@school".
_SCOPED = {("objects", "options")}
_MAPPINGS = {"sources": "sources", "criteria": "criteria", "scenarios": "scenarios", "parameters": "parameters"}
# Fields that refer to an id (a text or a list of texts), wherever they stand, and mappings
# keyed by ids defined elsewhere.
_REFERENCES = {"source": "sources", "category": "categories", "categories": "categories",
               "component": "components", "requires": "measures", "excludes": "measures",
               "settlement": "settlements",
               "threshold_parameter": "parameters", "income_groups_parameter": "parameters"}
_SUFFIXES = {"_source": "sources", "_component": "components"}
_KEYED_BY = {"scores": "criteria"}
# Mappings keyed by ids inside a top-level section (the production programme's fuels and
# fuel-norm allowances), and the fields of a list's items inside that section that refer to
# them (a vehicle's fuel and allowances); "allowances" and "fuel" mean other things elsewhere.
_SECTION_MAPPINGS = {("production_programme", "fuels"): "fuels",
                     ("production_programme", "allowances"): "fuel_allowances"}
_SECTION_REFERENCES = {("production_programme", "vehicles", "fuel"): "fuels",
                       ("production_programme", "vehicles", "allowances"): "fuel_allowances"}

_SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")


def _namespace(field_name) -> str | None:
    if not isinstance(field_name, str):
        return None
    if field_name in _REFERENCES:
        return _REFERENCES[field_name]
    return next((ns for suffix, ns in _SUFFIXES.items() if field_name.endswith(suffix)), None)


def _scope(ns: str, outer: str, inner: str, parent) -> str:
    return f"{ns}@{parent}" if (outer, inner) in _SCOPED else ns


def _definitions(data: dict, parent_id=None):
    """``(namespace, id, name)`` of every id ``data`` defines, in the file's order;
    ``parent_id(namespace, value)`` gives the id of an item whose "id" holds a name (data read
    from a workbook), for the namespaces of the ids nested in it."""
    for key, ns in _MAPPINGS.items():
        for i, (entry_id, entry) in enumerate((data.get(key) or {}).items(), 1):
            name = entry.get("name") if isinstance(entry, dict) and key != "sources" else None
            yield ns, entry_id, (i if key == "sources" else name)
    for key, ns in _LISTS.items():
        for item in data.get(key) or ():
            if isinstance(item, dict) and "id" in item:
                yield ns, item["id"], item.get("name")
    for (outer, inner), ns in _SECTION_MAPPINGS.items():
        section = data.get(outer)
        for entry_id, entry in ((section.get(inner) or {}) if isinstance(section, dict) else {}).items():
            yield ns, entry_id, entry.get("name") if isinstance(entry, dict) else None
    for (outer, inner), ns in _NESTED_LISTS.items():
        for item in data.get(outer) or ():
            if not isinstance(item, dict):
                continue
            parent = item.get("id")
            if parent_id is not None and outer in _LISTS:
                parent = parent_id(_LISTS[outer], parent)
            for sub in item.get(inner) or ():
                if isinstance(sub, dict) and "id" in sub:
                    yield _scope(ns, outer, inner, parent), sub["id"], sub.get("name")


def _name_in(name, lang: str) -> str:
    if isinstance(name, dict):
        name = next((name[code] for code in (lang, *LANGUAGES) if name.get(code)), "")
    return " ".join(str(name or "").split())


def _parameter_name(key: str, lang: str) -> str:
    from okmo_models.parameters import known_parameters

    spec = known_parameters().get(key)
    return _name_in(spec.description, lang) if spec is not None else ""


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяөүң",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o",
                   "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
                   "iu", "ia", "o", "u", "ng"]))


def slug(text: str) -> str:
    """An id for a name the economist typed: Latin letters, digits and "_" (the schema's id
    rule). A dozen lines of transliteration rather than a dependency: only the letters of
    Russian and Kyrgyz occur, and the id is never shown to the reader."""
    latin = "".join(_LATIN.get(ch, ch) for ch in str(text).lower())
    words = re.findall(r"[a-z0-9]+", latin)
    out = "_".join(words)[:40].strip("_") or "id"
    return out if out[0].isalpha() else "n" + out


@dataclass
class Handles:
    """Which handle stands for which id, by namespace (``sources``, ``categories``...)."""

    shown: dict[str, dict[str, str]] = field(default_factory=dict)  # namespace -> id -> handle

    # --- writing -----------------------------------------------------------------------

    @classmethod
    def of(cls, data: dict, lang: str) -> "Handles":
        """The handles of the ids ``data`` defines (and the package parameters it names), in
        ``lang``; an id without a name keeps the id, two entries of one name are told apart."""
        handles = cls()
        for ns, entry_id, name in _definitions(data):
            if ns == "sources":
                handle = t("xl_source_handle", lang, n=name)
            elif ns == "parameters":
                handle = _parameter_name(entry_id, lang)
            else:
                handle = _name_in(name, lang)
            handles._add(ns, entry_id, handle)
        for ns, value in _references(data):
            if ns == "parameters":
                handles._add(ns, value, _parameter_name(value, lang))
        from okmo_models.parameters import known_parameters

        for key in known_parameters():  # any package parameter may be named, by its description
            handles._add("parameters", key, _parameter_name(key, lang))
        return handles

    def names(self, ns: str) -> tuple:
        """The handles of a namespace, for a drop-down."""
        return tuple(self.shown.get(ns, {}).values())

    def _add(self, ns: str, entry_id, handle: str) -> None:
        names = self.shown.setdefault(ns, {})
        if not isinstance(entry_id, str) or entry_id in names:
            return
        # a list of references is written "a; b": a name's own semicolons would split it
        handle = re.sub(r"\s*;\s*", ", ", handle or "").strip() or entry_id
        taken = set(names.values())
        n, unique = 1, handle
        while unique in taken:
            n += 1
            unique = f"{handle} ({n})"
        names[entry_id] = unique

    def show(self, data: dict) -> dict:
        """``data`` with every id (defined or referred to) replaced by its handle."""
        return _translate(data, lambda ns, value: self.shown.get(ns, {}).get(value, value))

    def meta_rows(self) -> list[list[str]]:
        return [[META_ROW, ns, entry_id, handle]
                for ns, names in self.shown.items() for entry_id, handle in names.items()]

    def knows(self, text: str) -> bool:
        """Is ``text`` a name the workbook showed (one reference, commas and all)?"""
        return any(text in names.values() for names in self.shown.values())

    def readable(self, text):
        """A list of ids in a message ("park, sewer_plant") by their names in the workbook."""
        if not isinstance(text, str):
            return text
        names: dict[str, str] = {}
        for known in self.shown.values():
            for entry_id, handle in known.items():
                names[entry_id] = handle if names.get(entry_id, handle) == handle else entry_id
        return ", ".join(names.get(part, part) for part in text.split(", "))

    # --- reading -----------------------------------------------------------------------

    @classmethod
    def from_meta(cls, rows) -> "Handles":
        handles = cls()
        for row in rows:
            if row and row[0] == META_ROW and len(row) >= 4 and all(isinstance(v, str) for v in row[1:4]):
                handles.shown.setdefault(row[1], {})[row[2]] = row[3]
        return handles

    def restore(self, data: dict) -> tuple[dict, "callable"]:
        """``(data with ids, rename)``: every handle read back to its id, every new name
        made an id; ``rename`` maps a data path of ``data`` as read to the path in the result
        (a source's key, say), so that a problem found later still points at its cell."""
        ids = {ns: {handle: entry_id for entry_id, handle in names.items()} for ns, names in self.shown.items()}

        def known_id(ns, value):  # the id of a name read so far (an object's, for its options)
            return ids.get(ns, {}).get(value, value) if isinstance(value, str) else value

        for ns, value, _ in _definitions(data, known_id):
            if not isinstance(value, str) or value in ids.get(ns, {}):
                continue
            known = ids.setdefault(ns, {})
            if _SLUG.match(value):  # an id typed as an id
                known[value] = value
                continue
            base, n, new = slug(value), 1, slug(value)
            while new in known.values() or (new in known and known[new] != new):
                n += 1
                new = f"{base}_{n}"
            known[value] = new

        for ns, known in ids.items():  # every name, old or new, for the messages (readable)
            for handle, entry_id in known.items():
                self.shown.setdefault(ns, {}).setdefault(entry_id, handle)

        def to_id(ns, value):
            return ids.get(ns, {}).get(value, value) if isinstance(value, str) else value

        restored = _translate(data, to_id, to_id)

        def rename(path: tuple) -> tuple:
            path = tuple(path)
            if len(path) >= 2 and path[0] in _MAPPINGS:
                path = (path[0], to_id(_MAPPINGS[path[0]], path[1]), *path[2:])
            if len(path) >= 3 and path[:2] in _SECTION_MAPPINGS:
                path = (*path[:2], to_id(_SECTION_MAPPINGS[path[:2]], path[2]), *path[3:])
            for i in range(len(path) - 1):
                if path[i] in _KEYED_BY:
                    path = (*path[:i + 1], to_id(_KEYED_BY[path[i]], path[i + 1]), *path[i + 2:])
            return path

        return restored, rename


def _references(data, key=None):
    """``(namespace, value)`` of every reference in ``data``."""
    ns = _namespace(key)
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _references(v, k)
        if key in _KEYED_BY:
            for k in data:
                yield _KEYED_BY[key], k
    elif isinstance(data, list):
        for v in data:
            if ns and isinstance(v, str):
                yield ns, v
            else:
                yield from _references(v, key)
    elif ns and isinstance(data, str):
        yield ns, data


def _translate(data: dict, name_of, parent_id=None) -> dict:
    """A copy of a scenario's ``data`` with every id, defined or referred to, passed through
    ``name_of(namespace, value)``; ``parent_id`` as for :func:`_definitions`."""

    def field(key, value, top=False, outer=None, parent=None):
        if top and key in _MAPPINGS and isinstance(value, dict):
            return {name_of(_MAPPINGS[key], k): node(v) for k, v in value.items()}
        if top and isinstance(value, dict) and any(o == key for o, _ in _SECTION_MAPPINGS):
            return {k: section(key, k, v) for k, v in value.items()}
        if top and key in _LISTS and isinstance(value, list) and any(isinstance(i, dict) for i in value):
            return [item(i, _LISTS[key], key) for i in value]
        if (outer, key) in _NESTED_LISTS and isinstance(value, list):
            return [item(i, _scope(_NESTED_LISTS[(outer, key)], outer, key, parent), key) for i in value]
        if key in _KEYED_BY and isinstance(value, dict):
            return {name_of(_KEYED_BY[key], k): node(v) for k, v in value.items()}
        return node(value, key)

    def node(value, key=None):
        ns = _namespace(key)
        if isinstance(value, dict):
            return {k: field(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [name_of(ns, v) if ns and isinstance(v, str) else node(v, key) for v in value]
        return name_of(ns, value) if ns and isinstance(value, str) else value

    def section(outer, key, value):
        """A field of a top-level section holding a mapping of ids or items referring to them."""
        if (outer, key) in _SECTION_MAPPINGS and isinstance(value, dict):
            return {name_of(_SECTION_MAPPINGS[(outer, key)], k): node(v) for k, v in value.items()}
        refs = {f: ns for (o, k, f), ns in _SECTION_REFERENCES.items() if (o, k) == (outer, key)}
        if refs and isinstance(value, list):
            return [{f: reference(refs[f], v) if f in refs else field(f, v) for f, v in entry.items()}
                    if isinstance(entry, dict) else node(entry) for entry in value]
        return field(key, value)

    def reference(ns, value):
        if isinstance(value, list):
            return [name_of(ns, v) if isinstance(v, str) else v for v in value]
        return name_of(ns, value) if isinstance(value, str) else value

    def item(entry, ns, outer):
        if not isinstance(entry, dict):
            return node(entry)
        parent = entry.get("id")
        if parent_id is not None:
            parent = parent_id(ns, parent)
        return {k: name_of(ns, v) if k == "id" else field(k, v, outer=outer, parent=parent)
                for k, v in entry.items()}

    return {k: field(k, v, top=True) for k, v in data.items()}
