"""A municipality folder as one model: its passport, economic base, tariffs, budget and
programme read together, the links between them checked (``checks``), and the overview of
what the tariffs and the programme take from the budget (``overview``)."""
