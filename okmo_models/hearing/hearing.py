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
# Public-hearing dashboard, served by `okmo hearing FILE` through Voilà (code hidden): the
# tariff dashboard for a tariff scenario, the budget dashboard for a budget file (kind: budget),
# the programme dashboard for a development programme (kind: programme).
# The file and the language come from `okmo hearing` (OKMO_HEARING_SCENARIO, OKMO_LANG).
from okmo_models.hearing.choose import hearing_dashboard_from_environment

hearing_dashboard_from_environment().view
