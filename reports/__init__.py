"""Reports that people read: the TPI monitoring page and its Prefect artifacts."""
