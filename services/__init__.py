"""The service layer: each use case combines domain rules and persistence in one unit of work.

Flows and the CLI call these functions; none of them holds a rule of its own.
"""
