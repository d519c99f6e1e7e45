"""Custom Rasa NLU components. They run inside Rasa's Python 3.10 environment (`.venv-rasa`)."""
