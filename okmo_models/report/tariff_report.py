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
# # Tariff justification (report notebook)
#
# Executed by `okmo report` with the scenario and the language as parameters, converted by
# nbconvert with okmo_models/report/template and printed to PDF by Chromium. It imports and
# displays only; the sections are built in okmo_models.report.sections. `peers` (set before
# the parameters cell, so that a run given only the scenario and the language keeps it None)
# adds the section "tariffs of comparable municipalities".

# %%
peers = None  # folders of comparable municipalities' plans: the section on this tariff among theirs

# %% tags=["parameters"]
scenario = "../examples/teploklyuchenka/waste.yaml"
lang = "ru"

# %%
from IPython.display import HTML, display

from okmo_models.report import sections

document = sections.read(scenario, peers=peers)

# %%
display(HTML(document.html(lang)))
