# The gateway fixtures (a real gateway over HTTP with a Rasa stand-in) serve these tests too.
from tests.gateway.conftest import fake_rasa, gateway, gateway_factory  # noqa: F401
