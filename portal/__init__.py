"""The portal: `zi web`, for unit teams and the TPI, on the same services as the CLI."""
