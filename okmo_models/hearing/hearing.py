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

# %%
# Public-hearing dashboard, served by `okmo hearing SCENARIO` through Voilà (code hidden).
# The scenario and the language come from `okmo hearing` (OKMO_HEARING_SCENARIO, OKMO_LANG).
from okmo_models.hearing.dashboard import dashboard_from_environment

dashboard_from_environment().view
