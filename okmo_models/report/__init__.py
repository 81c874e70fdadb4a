"""The PDF reports: the tariff justification of a scenario, the forecast of a budget file and
the financing annex of a development programme, each a parameterised notebook
(``<kind>_report.ipynb``), printed through our nbconvert template and the system's Chromium.
:func:`render_report` makes one PDF (the file's kind, :mod:`okmo_models.kinds`, picks the
report); a batch of them is :func:`okmo_models.batch.report_tree`.

The report notebooks' kernels import only their kind's sections module (``sections``,
``budget_sections``, ``programme_sections``) and :mod:`okmo_models.report.blocks`, the pieces
the three share; the build machinery (nbclient, nbconvert) is imported on first use so the
kernel does not pay for it.
"""


def render_report(*args, **kwargs):
    from okmo_models.report.build import render_report as render

    return render(*args, **kwargs)


__all__ = ["render_report"]
