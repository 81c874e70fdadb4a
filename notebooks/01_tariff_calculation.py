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
# # Расчёт экономически обоснованного тарифа / Экономикалык жактан негизделген тарифти эсептөө
#
# Ноутбук загружает файл сценария, показывает калькуляцию затрат, себестоимость единицы
# услуги, тарифы по категориям потребителей и структуру затрат. Все расчёты выполняет пакет
# `okmo_models`; чтобы посчитать другой сценарий, укажите его файл в ячейке параметров ниже.
#
# *The notebook loads a scenario file and shows the cost estimate, unit costs, tariffs by
# consumer category and the cost structure. Change `scenario` below to compute another one.*

# %% tags=["parameters"]
scenario = "../scenarios/teploklyuchenka/waste.yaml"
lang = "ru"

# %%
from okmo_models import calculate_tariff
from okmo_models.display import cost_structure_chart, cost_table, summary_table, tariff_table

result = calculate_tariff(scenario)

# %% [markdown]
# ## Калькуляция затрат / Чыгашалардын калькуляциясы

# %%
cost_table(result, lang)

# %% [markdown]
# ## Итоги / Жыйынтыктар

# %%
summary_table(result, lang)

# %% [markdown]
# ## Тарифы по категориям потребителей / Керектөөчүлөрдүн категориялары боюнча тарифтер

# %%
tariff_table(result, lang)

# %% [markdown]
# ## Структура затрат / Чыгашалардын түзүмү

# %%
cost_structure_chart(result, lang);

# %% [markdown]
# ## Примечания и параметры / Эскертүүлөр жана параметрлер

# %%
result.notes_text(lang)

# %%
result.parameter_table()
