"""Prefect flows, one per lifecycle stage (declaration, designation, development, TPI
monitoring, proposal). Thin: each calls the service layer, which holds no rule of its own either.
"""
