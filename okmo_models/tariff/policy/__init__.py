"""Tariff policy: affordability, vulnerable households, multi-year path, investments,
shared services and sensitivity, built on the tariff engine."""
