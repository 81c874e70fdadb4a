# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Monthly review (report notebook)
#
# Executed by `okmo report` for a monitoring file (`kind: monitoring`) with the file and the
# language as parameters, converted by nbconvert with okmo_models/report/template and printed
# to PDF by Chromium. It imports and displays only; the sections are built in
# okmo_models.report.monitoring_sections.

# %% tags=["parameters"]
scenario = "../examples/teploklyuchenka/monitoring.yaml"
lang = "ru"

# %%
from IPython.display import HTML, display

from okmo_models.report import monitoring_sections

document = monitoring_sections.read(scenario)

# %%
display(HTML(document.html(lang)))
