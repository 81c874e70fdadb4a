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
# # Прогноз местного бюджета / Жергиликтүү бюджеттин болжолу
#
# Очередной год и два плановых года (как утверждает кенеш) и более длинный горизонт: метод для
# каждой статьи выбирается по ошибке на истории (MAPE), неопределённость — методом Монте-Карло,
# сценарии — отличия от базового прогноза. Все расчёты — в пакете `okmo_models`; здесь только
# вывод.
#
# *Next year plus two forecast years and a longer horizon: the method of each line is chosen by
# its backtest error, uncertainty by Monte Carlo, scenarios are differences from the baseline.
# Change `budget` below to forecast another budget; to overrule a method, add it under
# `methods:` in the budget file.*

# %% tags=["parameters"]
budget = "../scenarios/kok-jar/budget.yaml"
lang = "ru"

# %%
from okmo_models import forecast_budget
from okmo_models.display import (
    budget_compare_table,
    budget_fan_chart,
    budget_intervals_table,
    budget_methods_table,
    budget_scenarios_chart,
    budget_summary_table,
)

baseline = forecast_budget(budget)  # with every scenario of the file beside it (baseline.others)

# %% [markdown]
# ## Бюджет на очередной год и плановый период / Кийинки жылга жана пландык мезгилге бюджет

# %%
budget_summary_table(baseline, lang)

# %% [markdown]
# ## Методы по статьям и их ошибка на истории / Беренелер боюнча ыкмалар жана алардын катасы

# %%
budget_methods_table(baseline, lang)

# %% [markdown]
# ## Неопределённость: веер прогноза / Белгисиздик: болжолдун желпүүчү

# %%
budget_fan_chart(baseline, lang, "revenue");

# %%
budget_fan_chart(baseline, lang, "balance");

# %%
budget_intervals_table(baseline, lang)

# %% [markdown]
# ## Сценарии / Сценарийлер

# %%
budget_compare_table([baseline, *baseline.others], lang)

# %%
budget_scenarios_chart([baseline, *baseline.others], lang);

# %% [markdown]
# ## Что если… / Эмне болот, эгерде…
#
# Те же ползунки, что на общественных слушаниях (`okmo hearing`): передвиньте — цифры
# пересчитаются; «Сохранить вариант» запишет файл варианта рядом с исходным файлом.
#
# Коомдук угуулардагыдай эле жылдыргычтар (`okmo hearing`): жылдырыңыз — сандар кайра
# эсептелет; «Вариантты сактоо» вариант файлын баштапкы файлдын жанына жазат.
#
# *The hearing dashboard's live controls for this file, in JupyterLab.*

# %%
from okmo_models import dashboard_for

dashboard_for(budget, lang).view
