"""Settings and framework data files of zi-orchestrator."""
