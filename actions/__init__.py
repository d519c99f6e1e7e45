"""Custom actions (rasa-sdk imports every module of this package at start-up)."""

from citybot.privacy import install_log_masking

# The action server has no entry point of ours; this package is imported first, before any request.
install_log_masking()
