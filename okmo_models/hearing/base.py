"""What the three hearing dashboards (tariff, budget, programme) share.

:class:`HearingDashboardBase` holds the widgets every dashboard has (the title, the language
switch, "back to the baseline", "save this variant" with its file name, the message area),
lays them out around a dashboard's own controls and readouts, switches the language, keeps
a preset dropdown (if the dashboard has one) in step with the controls, recomputes with a
message instead of a traceback, and saves a variant next to the file through the atomic,
never-overwriting writer. Every message is escaped: it may quote a user's or a file's words
(a typed file name, a category or municipality name, an error naming a value), which are
shown as text, never read as HTML.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from html import escape
from pathlib import Path

import ipywidgets as w
import yaml
from traitlets import TraitError, validate

from okmo_models.errors import OkmoError
from okmo_models.i18n import LANGUAGES, t
from okmo_models.safe_write import write_new_file

CUSTOM = "*"  # preset value once a control was moved by hand

# Large type for a projector, and no scrollbars in the control column.
CSS = """<style>
.okmo-hearing { font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 18px; }
.okmo-hearing .widget-label, .okmo-hearing .widget-readout, .okmo-hearing button,
.okmo-hearing input, .okmo-hearing select { font-size: 17px !important; }
.okmo-hearing .widget-label { min-width: 22ex !important; }
.okmo-figure { font-size: 30px; font-weight: 700; }
.okmo-caption { font-size: 16px; color: #444; }
.okmo-message { font-size: 17px; color: #8a1c1c; }
.okmo-ok { font-size: 17px; color: #1c6b2a; }
.okmo-verdict { font-size: 24px; font-weight: 700; margin: 0.2em 0 0.4em 0; }
.okmo-verdict.okmo-gap { color: #8a1c1c; } .okmo-verdict.okmo-space { color: #1c6b2a; }
.okmo-note { font-size: 15px; color: #444; margin: 0 0 0.6em 0; }
</style>"""


def variant_target(folder: Path, typed: str, default: str) -> Path:
    """Where "save this variant" writes: the typed file name (never a path elsewhere), as
    YAML, next to the baseline."""
    name = Path(typed.strip() or default).name
    return folder / (name if name.endswith((".yaml", ".yml")) else name + ".yaml")


def write_variant_file(target: Path, header: str, doc: dict) -> Path:
    """Write a variant document with its comment header; atomic, never over an existing file."""
    return write_new_file(target, header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def same_value(a, b) -> bool:
    """The browser snaps a value it was sent to the slider's steps and sends it back
    (0.9 -> 0.8999999999999999): not a move."""
    return isinstance(a, float) and isinstance(b, float) and abs(a - b) < 1e-6


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


class HearingDashboardBase(ABC):
    """The skeleton of a hearing dashboard for one file; ``.view`` is what the notebook displays.

    A dashboard builds its own controls and readouts after ``__init__`` here, observes its
    controls with :meth:`_changed`, then calls :meth:`_lay_out`. It defines
    :meth:`title_text`, :meth:`compute` (the outputs of the controls now; raises on an
    impossible combination), :meth:`draw` (the readouts of those outputs), :meth:`_variant`
    (what "save this variant" writes) and :meth:`_set_controls_to` (the controls at a preset;
    a dashboard with a preset dropdown also defines :meth:`_preset_options`); it extends
    :meth:`_labels` with its own labels.
    """

    css = CSS
    variant_stem = "hearing"  # the proposed file name: {file}_{variant_stem}_{date-time}.yaml
    variant_default = "hearing_variant.yaml"  # saved under this name when the typed one is blank
    variant_header = ""  # comment header of a saved variant, filled with file=... and _variant's context
    reset_key = "hr_reset"
    no_changes_key = "hr_no_changes"
    saved_key = "hr_saved"  # filled with path=..., file=... and _variant's context
    preset_key = ""  # label of the preset dropdown, for a dashboard with presets
    baseline_preset = ""  # the preset "back to the baseline" chooses

    def __init__(self, path: str | Path, lang: str = "ru"):
        self.path = Path(path)
        self.lang = lang
        self.language = LanguageChooser(lang, style={"description_width": "initial"},
                                         layout=w.Layout(width="auto"))
        self.preset = None  # a dashboard with presets sets it with _add_presets
        self.reset = w.Button(button_style="warning", layout=w.Layout(width="auto"))
        self.save = w.Button(button_style="success", layout=w.Layout(width="auto"))
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        self.file_name = w.Text(value=f"{self.path.stem}_{self.variant_stem}_{stamp}.yaml",
                                layout=w.Layout(width="60%"))
        self.title = w.HTML()
        self.message = w.HTML()
        self.saved: dict = {}  # the last saved variant: path, file and _variant's context

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
        self.preset = w.Dropdown(value=value, options=self._preset_options(), style={"description_width": "initial"},
                                 layout=w.Layout(width="95%"))
        self.preset.observe(self._preset_chosen, names="value")

    def _lay_out(self, controls: list, readouts: list, widths: tuple = ("48%", "52%"), padding: str | None = None):
        """Controls, reset and save on the left, readouts on the right, the title and the
        language above; then label and compute."""
        left = w.VBox([*controls, w.HBox([self.reset]), w.HBox([self.file_name, self.save]), self.message],
                      layout=w.Layout(width=widths[0]))
        right = w.VBox(readouts, layout=w.Layout(width=widths[1], **({"padding": padding} if padding else {})))
        self.view = w.VBox([w.HTML(self.css), w.HBox([self.title, self.language]), w.HBox([left, right])])
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
        if change is not None and same_value(change["old"], change["new"]):
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
        return out

    # --- saving and language -----------------------------------------------------------------

    def save_variant(self) -> Path | None:
        """Write the controls as a variant of the file, next to it; never overwrite."""
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
        target = variant_target(self.path.parent, self.file_name.value, self.variant_default)
        context = {"file": target.name, **context}
        try:
            path = write_variant_file(target, self.variant_header.format(**context), doc)
        except OkmoError as exc:
            self.show_message(exc.render(lang))
            return None
        self.saved = {"path": path, **context}
        self.show_message(t(self.saved_key, lang, path=path, **context), ok=True)
        return path

    def _language(self, change):
        self.lang = self.language.code
        self._labels()
        self.update()

    def _labels(self):
        lang = self.lang
        self.title.value = f'<h2 style="margin:0 1em 0 0">{escape(self.title_text())}</h2>'
        self.language.description = t("hr_language", lang)
        if self.preset is not None:
            self._set_preset_quietly(self.preset.value, self._preset_options())
            self.preset.description = t(self.preset_key, lang)
        self.reset.description = t(self.reset_key, lang)
        self.save.description = t("hr_save", lang)
        self.file_name.description = t("hr_file", lang)
