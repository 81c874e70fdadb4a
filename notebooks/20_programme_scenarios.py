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
# # Программа развития (ПСЭР) и бюджет / Өнүгүү программасы (СЭӨП) жана бюджет
#
# Проект программы (как записан) проверяется по прогнозу бюджета год за годом; оптимальный
# выбор мероприятий и лет начала (MILP) сравнивается с простым рейтингом по приоритету; для
# каждого мероприятия — почему оно включено или нет. Все расчёты — в пакете `okmo_models`.
#
# *The draft is checked against the budget forecast year by year; the optimal choice of
# measures and start years (MILP) is compared with a plain ranking by priority, with the
# reason for every measure. Change `programme` to analyse another programme or a variant.*

# %% tags=["parameters"]
programme = "../scenarios/alamudun/programme.yaml"
lang = "ru"

# %%
from okmo_models.display import programme_money_left_chart
from okmo_models.programme import evaluate_programme

result = evaluate_programme(programme)
result.space.origin

# %% [markdown]
# ## Проект программы против свободных средств / Программанын долбоору жана бош каражаттар

# %%
result.financing_table("plan", lang)

# %%
result.plan.gaps()

# %% [markdown]
# ## Оптимальный выбор / Оптималдуу тандоо

# %%
result.financing_table("optimal", lang)

# %%
result.measures_table("optimal", lang)

# %% [markdown]
# ## Простой рейтинг по приоритету / Артыкчылык боюнча жөнөкөй рейтинг

# %%
result.measures_table("ranking", lang)

# %% [markdown]
# ## Сравнение вариантов / Варианттарды салыштыруу

# %%
programme_money_left_chart(result, lang);

# %%
result.compare_table(lang)

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

dashboard_for(programme, lang).view
