"""What the three hearing dashboards (tariff, budget, programme) share.

:class:`HearingDashboardBase` holds the widgets every dashboard has (the title, the language
switch, "back to the baseline", "save this variant" with its file name, the message area),
lays them out around a dashboard's own controls and readouts, switches the language, keeps
a preset dropdown (if the dashboard has one) in step with the controls, recomputes with a
message instead of a traceback, and saves a variant next to the file through the atomic,
never-overwriting writer, then offers a new file name for the next one. Every message is
escaped: it may quote a user's or a file's words (a typed file name, a category or
municipality name, an error naming a value), which are shown as text, never read as HTML.

The layout is the hall's: every control has its name above it (a long category name never
squeezes a slider) and takes the column's width, never under :data:`MIN_CONTROL`; a slider's
value is written beside it by :meth:`HearingDashboardBase._row` in the reader's format
(``1 000 000``, ``99,75``, never ``−0``); type grows with the screen.
"""

from __future__ import annotations

import datetime as dt
import errno
import math
from abc import ABC, abstractmethod
from html import escape
from pathlib import Path

import ipywidgets as w
import yaml
from traitlets import TraitError, validate

from okmo_models.errors import OkmoError
from okmo_models.formatting import format_number, signed_number
from okmo_models.i18n import LANGUAGES, t
from okmo_models.safe_write import FileExistsRefused, write_new_file

CUSTOM = "*"  # preset value once a control was moved by hand
MIN_CONTROL = "220px"  # a control's box: its track or field stays >= 200 px wide at 1366×768
WIDE = 1600  # px of screen from which panels stand side by side: a projector, not a hall laptop

# Type that grows with the screen: 17 px on a 1366 px hall laptop, 23 px on a 1920 px projector
# (read from the back row). Widgets take their size from it (ipywidgets' own variables), a
# number never breaks across lines, and nothing scrolls sideways.
CSS = """<style>
.okmo-hearing { font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: clamp(17px, 1.2vw, 26px);
  line-height: 1.35; --jp-widgets-font-size: 1em; --jp-widgets-inline-height: 1.75em;
  --jp-widgets-slider-handle-size: 1em; --jp-widgets-inline-label-width: auto; box-sizing: border-box;
  max-width: 100%; }
.okmo-hearing .jupyter-widgets { margin-left: 0; margin-right: 0; box-sizing: border-box; }
.okmo-hearing .widget-label, .okmo-hearing .widget-readout, .okmo-hearing button,
.okmo-hearing input, .okmo-hearing select, .okmo-hearing .widget-html-content { font-size: 1em !important; }
.okmo-hearing .widget-html-content { line-height: 1.35; }
.okmo-hearing button { height: auto !important; min-height: 1.9em; padding: 0.2em 0.8em; white-space: normal; }
.okmo-hearing select, .okmo-hearing input[type=text] { height: 1.9em !important; }
.okmo-title { font-size: 1.4em; font-weight: 700; margin: 0 1em 0.3em 0; line-height: 1.25; }
.okmo-label { font-size: 0.95em; margin: 0.55em 0 0 0; line-height: 1.25; }
.okmo-readout { font-size: 1.05em; font-weight: 700; text-align: right; white-space: nowrap; display: block; }
.okmo-figure { font-size: 1.75em; font-weight: 700; white-space: nowrap; line-height: 1.2; }
.okmo-figure small { font-size: 0.6em; font-weight: 400; }
.okmo-figures { display: flex; flex-wrap: wrap; gap: 0.3em 2em; margin: 0 0 0.4em 0; }
.okmo-figures > div { flex: 1 1 9em; }
.okmo-caption { font-size: 0.9em; color: #444; }
.okmo-message { font-size: 1em; color: #8a1c1c; margin: 0.4em 0; }
.okmo-ok { font-size: 1em; color: #1c6b2a; margin: 0.4em 0; }
.okmo-verdict { font-size: 1.3em; font-weight: 700; margin: 0 0 0.3em 0; line-height: 1.25; }
.okmo-verdict.okmo-gap { color: #8a1c1c; } .okmo-verdict.okmo-space { color: #1c6b2a; }
.okmo-verdict.okmo-risk { color: #8a5300; }
.okmo-note { font-size: 0.85em; color: #444; margin: 0 0 0.5em 0; }
.okmo-hearing .okmo-panels { display: flex; width: 100%; flex-flow: row wrap; align-items: flex-start; gap: 0 1.5em; }
.okmo-hearing .okmo-panel { flex: 1 1 100%; min-width: 0; max-width: 100%; }
.okmo-hearing .okmo-always { flex-wrap: nowrap; }
.okmo-hearing .okmo-always > .okmo-panel { flex: 1 1 0%; }
@media (min-width: @WIDE@px) {
  .okmo-hearing .okmo-panels { flex-wrap: nowrap; }
  .okmo-hearing .okmo-panel { flex: 1 1 0%; }
  .okmo-hearing .okmo-panel.okmo-fit { flex: 0 0 auto; }
}
.okmo-hearing table td:not(:first-child), .okmo-hearing table th:not(:first-child) { white-space: nowrap; }
.okmo-hearing table th:first-child, .okmo-hearing table td:first-child { text-align: left; }
.okmo-hearing svg { display: block; }
.okmo-hearing span[data-okmo] { white-space: nowrap; }
</style>""".replace("@WIDE@", str(WIDE))


def variant_target(folder: Path, typed: str, default: str) -> Path:
    """Where "save this variant" writes: the typed file name (never a path elsewhere), as
    YAML, next to the baseline."""
    name = Path(typed.strip() or default).name
    return folder / (name if name.endswith((".yaml", ".yml")) else name + ".yaml")


def write_variant_file(target: Path, header: str, doc: dict) -> Path:
    """Write a variant document with its comment header; atomic, never over an existing file."""
    return write_new_file(target, header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def fresh_name(folder: Path, stem: str, now: dt.datetime | None = None) -> str:
    """``{stem}_{date-time}.yaml``, to the second, that no file in ``folder`` has yet."""
    base = f"{stem}_{(now or dt.datetime.now()).strftime('%Y%m%d-%H%M%S')}"
    name, k = f"{base}.yaml", 1
    while (folder / name).exists():
        k += 1
        name = f"{base}-{k}.yaml"
    return name


def same_value(a, b) -> bool:
    """The browser snaps a value it was sent to the slider's steps and sends it back
    (0.9 -> 0.8999999999999999): not a move."""
    return isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-6


def on_grid(slider, value: float) -> float:
    """The position of ``value`` on ``slider``: the nearest of its steps (counted from its
    minimum), where the browser puts the handle."""
    return slider.min + round((value - slider.min) / slider.step) * slider.step


def browser_echo(widget, old, new) -> bool:
    """A change the browser made, not a person: ``new`` is ``old`` put on the slider's
    steps (the browser snaps a value it was sent, e.g. a computed tariff of 100,72 on a
    1-som slider, and sends back 101). A person's step moves from a step to the next one."""
    if same_value(old, new):
        return True
    if not isinstance(widget, w.FloatSlider) or not isinstance(old, float) or not widget.step:
        return False
    return abs(new - on_grid(widget, old)) < 1e-6 * widget.step and abs(new - old) > 1e-9


def nice_step(x: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at most ``x``: a slider step that round
    amounts (a preset's 4 500) fall on."""
    if x <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    return max(m * power for m in (1, 2, 2.5, 5) if m * power <= x * (1 + 1e-9))


def set_quietly(view, values: dict, handler):
    """Set widget values without running ``handler`` for each of them; a slider's range
    widens to take a value outside it."""
    with view.hold_sync():
        for widget in values:
            widget.unobserve(handler, names="value")
        try:
            for widget, value in values.items():
                if isinstance(widget, w.FloatSlider) and value > widget.max:
                    widget.max = value
                if isinstance(widget, w.FloatSlider) and value < widget.min:
                    widget.min = value
                widget.value = value
        finally:
            for widget in values:
                widget.observe(handler, names="value")


def figures_html(key: str, lang: str, figures: dict, **context) -> str:
    """The message ``key``, escaped, with each of ``figures`` (placeholder -> (data-okmo
    name, text)) in an element of its own holding just that number, for a reader's eye
    and a test alike."""
    tokens = {name: f"\x00{i}\x00" for i, name in enumerate(figures)}
    text = escape(t(key, lang, **context, **tokens))
    for name, (okmo, value) in figures.items():
        text = text.replace(tokens[name], f'<span data-okmo="{okmo}">{escape(value)}</span>')
    return text


def figure_html(okmo: str, text: str, after: str = "") -> str:
    """``text`` (a number) in an element of its own named ``okmo``, then ``after`` (its unit)."""
    return f'<span data-okmo="{okmo}">{escape(text)}</span>{escape(after)}'


def signed(x: float, decimals: int, lang: str) -> str:
    """A change: ``+10``, ``−2,5``, and no change a plain ``0`` (never ``−0`` or ``+0,0``)."""
    text = signed_number(x, decimals, lang)
    return "0" if text.strip("0,.") == "" else text


def plain(x: float, decimals: int, lang: str) -> str:
    """A number in the reader's format, a negative one with a real minus, never ``−0``."""
    return format_number(x, decimals, lang).replace("-", "\u2212")


class Block:
    """One readout of the page (figures, a table, a chart) as HTML in :attr:`value`.

    The readouts are not widgets of their own: :meth:`HearingDashboardBase.update` draws
    them all into one widget, one message to the page per change. Seven HTML widgets (the
    tariff dashboard's readouts) sent seven, and the browser laid the page out after each,
    about 7 ms apiece on a loaded 2-core laptop: most of the key-to-redraw time."""

    def __init__(self, value: str = ""):
        self.value = value


class Panels:
    """Blocks side by side on a wide screen (a projector, from :data:`WIDE` px; ``always``:
    on any screen), one under another on a narrower one, sharing the width equally. A child
    ``(block, "fit")`` is as wide as its content (a table of figures); a list of blocks is
    one panel, stacked. Chosen by the screen's width in CSS, not by the content, so the
    layout is the same whatever the figures."""

    def __init__(self, *children, always: bool = False):
        self.children = children
        self.always = always

    @property
    def value(self) -> str:
        cells = []
        for child in self.children:
            fit = isinstance(child, tuple) and child[1] == "fit"
            inner = child[0] if fit else child
            html = "".join(b.value for b in inner) if isinstance(inner, list) else inner.value
            cells.append(f'<div class="okmo-panel{" okmo-fit" if fit else ""}">{html}</div>')
        return f'<div class="okmo-panels{" okmo-always" if self.always else ""}">{"".join(cells)}</div>'


panels = Panels


class LanguageChooser(w.Dropdown):
    """The language drop-down: each language by its own name (Русский, Кыргызча, English),
    which is also its value; :attr:`code` is the chosen language's code, and assigning a code
    (``chooser.value = "ky"``) chooses that language too."""

    def __init__(self, lang: str, **kwargs):
        self.names = {code: t("wt_language_" + code, lang) for code in LANGUAGES}
        super().__init__(options=list(self.names.values()), value=self.names[lang], **kwargs)

    @property
    def code(self) -> str:
        return next(code for code, name in self.names.items() if name == self.value)

    @validate("value")
    def _validate_value(self, proposal):
        value = getattr(self, "names", {}).get(proposal.value, proposal.value)  # a code: its name
        if value is not None and value not in self.options:
            raise TraitError("Invalid selection: value not found")
        return value


def control_layout(**extra) -> w.Layout:
    """A control as wide as its column, never narrower than :data:`MIN_CONTROL`."""
    return w.Layout(**{"width": "100%", "min_width": MIN_CONTROL, **extra})


class HearingDashboardBase(ABC):
    """The skeleton of a hearing dashboard for one file; ``.view`` is what the notebook displays.

    A dashboard builds its own controls and readouts after ``__init__`` here, wraps each
    control with :meth:`_row` (its name above it, a slider's value beside it), observes its
    controls with :meth:`_changed`, then calls :meth:`_lay_out`. It defines
    :meth:`title_text`, :meth:`compute` (the outputs of the controls now; raises on an
    impossible combination), :meth:`draw` (the readouts of those outputs), :meth:`_variant`
    (what "save this variant" writes) and :meth:`_set_controls_to` (the controls at a preset;
    a dashboard with a preset dropdown also defines :meth:`_preset_options`); it extends
    :meth:`_labels` with its own labels (:meth:`set_label`).
    """

    css = CSS
    variant_stem = "hearing"  # the proposed file name: {file}_{variant_stem}_{date-time}.yaml
    variant_header = ""  # comment header of a saved variant, filled with file=... and _variant's context
    reset_key = "hr_reset"
    no_changes_key = "hr_no_changes"
    saved_key = "hh_saved"  # filled with file=..., folder=... and _variant's context
    preset_key = ""  # label of the preset dropdown, for a dashboard with presets
    baseline_preset = ""  # the preset "back to the baseline" chooses

    def __init__(self, path: str | Path, lang: str = "ru"):
        self.path = Path(path)
        self.lang = lang
        self.control_labels: dict = {}  # control -> the HTML naming it, above it
        self.readouts: dict = {}  # slider -> (HTML beside it, data-okmo name, formatter or None)
        self.language = LanguageChooser(lang, layout=control_layout())
        self.preset = None  # a dashboard with presets sets it with _add_presets
        self.reset = w.Button(button_style="warning", layout=w.Layout(width="auto", min_width=MIN_CONTROL))
        self.save = w.Button(button_style="success", layout=w.Layout(width="auto", min_width=MIN_CONTROL))
        self.file_name = w.Text(value=self.default_name(), layout=control_layout())
        self.title = w.HTML(layout=w.Layout(flex="1 1 auto", min_width="0"))
        self.message = w.HTML(layout=w.Layout(width="100%"))
        self.saved: dict = {}  # the last saved variant: path, file and _variant's context

    def default_name(self) -> str:
        """The name a variant is saved under unless another is typed: new at every save."""
        return fresh_name(self.path.parent, f"{self.path.stem}_{self.variant_stem}")

    @abstractmethod
    def title_text(self) -> str:
        """The dashboard's title in the reader's language, as plain text."""

    @abstractmethod
    def compute(self, **options):
        """The outputs of the controls as they stand; raises on an impossible combination."""

    @abstractmethod
    def draw(self, out):
        """Show ``out`` (from :meth:`compute`) in the readouts."""

    @abstractmethod
    def _variant(self) -> tuple[dict, dict] | None:
        """What "save this variant" writes: ``(document, context)``, the context filling
        :attr:`variant_header` and the saved message; None when nothing differs from the file."""

    @abstractmethod
    def _set_controls_to(self, preset: str):
        """Set the controls to ``preset`` (:attr:`baseline_preset`: the file as it is) quietly."""

    def _add_presets(self, value: str):
        """The preset dropdown, set to ``value``; choosing a preset sets the controls."""
        self.preset = w.Dropdown(value=value, options=self._preset_options(), layout=control_layout())
        self.preset.observe(self._preset_chosen, names="value")

    # --- controls with their names and values -------------------------------------------------

    def _row(self, control, readout: str | None = None, fmt=None) -> w.VBox:
        """``control`` under its name (set by :meth:`set_label`), as wide as the column. A
        slider gets its value written beside it instead of its own readout (which prints
        English numbers): ``readout`` names that element (data-okmo), ``fmt(value, lang)``
        writes it; without ``fmt`` the dashboard writes it (:meth:`set_readout`)."""
        label = w.HTML(layout=w.Layout(width="100%"))
        label.add_class("okmo-label")
        self.control_labels[control] = label
        control.description = ""
        if readout is None:
            control.layout = control_layout(**({"width": control.layout.width}
                                               if control.layout.width not in (None, "auto", "95%") else {}))
            return w.VBox([label, control], layout=w.Layout(width="100%"))
        value = w.HTML(layout=w.Layout(width="6.2em", flex="0 0 auto"))
        self.readouts[control] = (value, readout, fmt)
        control.readout = False
        control.layout = w.Layout(width="auto", flex="1 1 auto", min_width=MIN_CONTROL)
        if fmt is not None:
            control.observe(lambda _: self._show_readout(control), names="value")
            self._show_readout(control)
        return w.VBox([label, w.HBox([control, value], layout=w.Layout(width="100%", align_items="center"))],
                      layout=w.Layout(width="100%"))

    def set_label(self, control, text: str):
        self.control_labels[control].value = f'<div class="okmo-label">{escape(text)}</div>'

    def set_readout(self, control, text: str):
        value, okmo, _ = self.readouts[control]
        value.value = f'<span class="okmo-readout" data-okmo="{okmo}">{escape(text)}</span>'

    def _show_readout(self, control):
        fmt = self.readouts[control][2]
        if fmt is not None:
            self.set_readout(control, fmt(control.value, self.lang))

    def _lay_out(self, controls: list, readouts: list, left: str = "36%"):
        """Controls, reset and save on the left (``left`` of the width), readouts on the
        right, the title and the language above; then label and compute."""
        self.language_label = w.HTML(layout=w.Layout(width="100%"))
        self.file_label = w.HTML(layout=w.Layout(width="100%"))
        self.control_labels.update({self.language: self.language_label, self.file_name: self.file_label})
        language = w.VBox([self.language_label, self.language], layout=w.Layout(flex="0 0 auto", width="13em"))
        saving = [w.HTML('<div style="height:0.8em"></div>'), self.reset, self.file_label, self.file_name,
                  self.save, self.message]
        column = w.VBox([*controls, *saving], layout=w.Layout(flex=f"0 0 {left}", width=left, min_width="0"))
        self.blocks = readouts  # Block and Panels, drawn together into the board
        self.board = w.HTML(layout=w.Layout(width="100%"))
        right = w.VBox([self.board], layout=w.Layout(flex="1 1 0%", min_width="0", padding="0 0 0 1.5em"))
        self.view = w.VBox([w.HTML(self.css),
                            w.HBox([self.title, language], layout=w.Layout(width="100%", align_items="flex-start")),
                            w.HBox([column, right], layout=w.Layout(width="100%", align_items="flex-start"))],
                           layout=w.Layout(width="100%"))
        self.view.add_class("okmo-hearing")
        self.language.observe(self._language, names="value")
        self.reset.on_click(lambda _: self.back_to_baseline())
        self.save.on_click(lambda _: self.save_variant())
        self._labels()
        self.update()

    # --- the message area --------------------------------------------------------------------

    def show_message(self, text: str, ok: bool = False):
        """``text`` in the message area (a problem in red, ``ok`` in green), escaped."""
        self.message.value = f'<div class="{"okmo-ok" if ok else "okmo-message"}">{escape(text)}</div>'

    def show_problem(self, exc: Exception):
        """Why the controls cannot be computed or saved, in the reader's language."""
        detail = exc.render(self.lang) if isinstance(exc, OkmoError) else str(exc)
        self.show_message(t("hr_invalid", self.lang, detail=detail))

    def clear_message(self):
        self.message.value = ""

    # --- controls and presets ----------------------------------------------------------------

    def _changed(self, change=None):
        """A control moved by hand: the preset becomes the room's own, the figures follow."""
        if change is not None and browser_echo(change["owner"], change["old"], change["new"]):
            return
        if self.preset is not None and self.preset.value != CUSTOM:
            self._set_preset_quietly(CUSTOM)
        self.clear_message()
        self.update()

    def _preset_chosen(self, change):
        if change["new"] != CUSTOM:
            self.apply_preset(change["new"])

    def _set_preset_quietly(self, value: str, options: list | None = None):
        """Show ``value`` (with new ``options``, in another language) without applying it."""
        self.preset.unobserve(self._preset_chosen, names="value")
        try:
            if options is not None:
                self.preset.options = options
            self.preset.value = value
        finally:
            self.preset.observe(self._preset_chosen, names="value")

    def apply_preset(self, preset: str):
        """Set the controls to one of the presets and recompute."""
        self._set_controls_to(preset)
        if self.preset is not None:
            self._set_preset_quietly(preset)
        self.clear_message()
        self.update()

    def back_to_baseline(self):
        self.apply_preset(self.baseline_preset)

    # --- outputs -----------------------------------------------------------------------------

    def update(self, **options):
        """Recompute and redraw; an impossible combination shows a message, not a traceback."""
        try:
            out = self.compute(**options)
        except (OkmoError, ValueError, ZeroDivisionError) as exc:
            self.show_problem(exc)
            return None
        self.outputs = out
        self.draw(out)
        self.board.value = "".join(f"<div>{block.value}</div>" for block in self.blocks)  # one message
        return out

    # --- saving and language -----------------------------------------------------------------

    def save_variant(self) -> Path | None:
        """Write the controls as a variant of the file, next to it; never overwrite. After a
        save the name box offers a new name, so that the next variant saves at once."""
        lang = self.lang
        try:
            made = self._variant()
        except (OkmoError, ValueError) as exc:
            self.show_problem(exc)
            return None
        if made is None:
            self.show_message(t(self.no_changes_key, lang))
            return None
        doc, context = made
        target = variant_target(self.path.parent, self.file_name.value, self.default_name())
        context = {"file": target.name, "folder": str(target.parent), **context}
        try:
            path = write_variant_file(target, self.variant_header.format(**context), doc)
        except FileExistsRefused:  # the page's words: no command-line flag to suggest
            self.show_message(t("hh_file_exists", lang, file=target.name, button=t("hr_save", lang)))
            return None
        except OkmoError as exc:
            self.show_message(exc.render(lang))
            return None
        except OSError as exc:  # a folder one may not write to, a full disk: said in the reader's words
            reason = {errno.EACCES: "hh_no_permission", errno.EPERM: "hh_no_permission",
                      errno.EROFS: "hh_no_permission", errno.ENOSPC: "hh_disk_full"}.get(exc.errno)
            detail = t(reason, lang, folder=target.parent) if reason else (exc.strerror or str(exc))
            self.show_message(t("hh_save_failed", lang, file=target.name, detail=detail))
            return None
        self.saved = {"path": path, **context}
        self.file_name.value = self.default_name()
        self.show_message(t(self.saved_key, lang, path=path, **context), ok=True)
        return path

    def _language(self, change):
        self.lang = self.language.code
        self._labels()
        self.update()

    def _labels(self):
        lang = self.lang
        self.title.value = f'<div class="okmo-title">{escape(self.title_text())}</div>'
        self.set_label(self.language, t("hr_language", lang))
        if self.preset is not None:
            self._set_preset_quietly(self.preset.value, self._preset_options())
            self.set_label(self.preset, t(self.preset_key, lang))
        self.reset.description = t(self.reset_key, lang)
        self.save.description = t("hr_save", lang)
        self.set_label(self.file_name, t("hr_file", lang))
        for control in self.readouts:
            self._show_readout(control)
