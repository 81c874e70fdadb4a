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
# # Тарифная политика / Тариф саясаты
#
# Доступность тарифа для семей, льготы уязвимым домохозяйствам, путь к полному возмещению
# затрат по годам (с инвестициями и производственной программой) и чувствительность тарифа.
# Все расчёты — в пакете `okmo_models`; здесь только вывод.
#
# *Affordability, Social Passport discounts, the multi-year path to cost recovery and the
# sensitivity of the tariff. Change `scenario` below to analyse another scenario.*

# %% tags=["parameters"]
scenario = "../scenarios/teploklyuchenka/waste.yaml"
lang = "ru"

# %%
from okmo_models import calculate_tariff
from okmo_models.display import (
    affordability_table,
    monte_carlo_chart,
    path_chart,
    path_table,
    tornado_chart,
    vulnerable_table,
)

result = calculate_tariff(scenario)

# %% [markdown]
# ## Доступность / Жеткиликтүүлүк

# %%
affordability_table(result, lang)

# %% [markdown]
# ## Льготы по Социальному паспорту / Социалдык паспорт боюнча жеңилдиктер

# %%
vulnerable_table(result, lang)

# %% [markdown]
# ## Путь к полному возмещению затрат / Чыгашаларды толук жабууга жол

# %%
path_table(result, lang)

# %%
path_chart(result, lang);

# %% [markdown]
# ## Чувствительность / Сезгичтик

# %%
tornado_chart(result, lang);

# %%
monte_carlo_chart(result, lang);

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

dashboard_for(scenario, lang).view
