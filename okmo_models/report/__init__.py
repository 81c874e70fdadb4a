"""The PDF reports: the tariff justification of a scenario and the forecast of a budget file
(``kind: budget``), each a parameterised notebook, printed through our nbconvert template and
the system's Chromium. :func:`render_report` makes one PDF (the file's kind picks the
report), :func:`render_many` a batch.

The report notebooks' kernels import only :mod:`okmo_models.report.sections` or
:mod:`okmo_models.report.budget_sections`; the build machinery (nbclient, nbconvert) is
imported on first use so the kernel does not pay for it.
"""


def render_report(*args, **kwargs):
    from okmo_models.report.build import render_report as render

    return render(*args, **kwargs)


def render_many(*args, **kwargs):
    from okmo_models.report.build import render_many as render

    return render(*args, **kwargs)


__all__ = ["render_many", "render_report"]
