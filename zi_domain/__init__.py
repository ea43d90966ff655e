"""The pure domain of Zona Integritas: the LKE framework, scoring, predicate floors, gaps.

Nothing here touches a database, the network or Prefect; the regulation lives here and is
tested without any service.
"""
