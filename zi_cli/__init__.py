"""The `zi` console command: the entrypoint that people and scripts use."""
