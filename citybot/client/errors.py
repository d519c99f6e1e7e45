"""Typed errors raised by `CityClient`; actions catch these, never httpx exceptions."""

from __future__ import annotations


class CityClientError(Exception):
    """Base class for everything the client raises."""


class BackendUnavailable(CityClientError):
    """The city system did not answer in time, refused the connection or failed (5xx)."""


class Unauthorized(CityClientError):
    """The API key (or agent token) was missing or wrong: a configuration error, not the citizen's."""


class NotFound(CityClientError):
    """The ticket, booking code, application number or record does not exist."""

    def __init__(self, code: str = "not_found", message: str = "Data tidak ditemukan.") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Rejected(CityClientError):
    """The backend refused the input (4xx with a machine code and an Indonesian message)."""

    def __init__(self, code: str, message: str, status_code: int = 422) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status_code = status_code
