"""E-mail templates and delivery (reminders and digests, in Indonesian)."""
