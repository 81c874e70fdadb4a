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
# # Comparison of municipalities (report notebook)
#
# Executed by `okmo compare FOLDER... --format pdf` with the folders (or files) compared and
# the language as parameters, converted by nbconvert with okmo_models/report/template and
# printed to PDF by Chromium. It imports and displays only; the sections are built in
# okmo_models.report.compare_sections from the comparison's `to_dict()`.

# %%
folders = None  # the folders (or files) compared; None: the folder `scenario` alone

# %% tags=["parameters"]
scenario = "../examples"
lang = "ru"

# %%
from IPython.display import HTML, display

from okmo_models.report import compare_sections

document = compare_sections.read(folders or scenario)

# %%
display(HTML(document.html(lang)))
