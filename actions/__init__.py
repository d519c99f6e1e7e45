"""Custom actions (rasa-sdk imports every module of this package at start-up)."""

import sys

from citybot.privacy import install_log_masking

# The action server has no entry point of ours; this package is imported first, before any request.
install_log_masking()
if any(server in arg for arg in sys.argv[:1] for server in ("rasa_sdk", "action_server")):
    # Only in the action server itself (not when tests import the package): complaints queued
    # before a crash are delivered now, not when the next citizen happens to file one.
    from actions.pengaduan_antrean import resume_after_restart

    resume_after_restart()
