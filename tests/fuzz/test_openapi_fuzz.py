"""Schemathesis over the OpenAPI document, in process: every operation, every default check,
as a normal user and as a superuser, then the stateful phase following the API's links."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tests.fuzz.app_under_fuzz import EXAMPLES, fuzz_target

target = fuzz_target()
schema = schemathesis.openapi.from_asgi("/openapi.json", target.app)

# These operations refuse some inputs that the schema alone allows, as the contract says:
# `skip` with `cursor`, an opaque cursor not issued by the service, min_price > max_price, and
# the token endpoint's fields, each required by one grant_type only.
CROSS_PARAMETER_RULES = {
    ("GET", "/api/v1/items"),
    ("GET", "/api/v1/users"),
    ("GET", "/api/v1/users/me/sessions"),
    ("GET", "/api/v1/users/{user_id}/sessions"),
    ("POST", "/api/v1/auth/token"),
}
# JSON Schema counts characters; bcrypt's limit is 72 bytes, so 72 non-ASCII characters are
# schema-valid and rightly refused. No schema keyword can say "bytes".
PASSWORD_BODIES = {
    ("POST", "/api/v1/users"),
    ("PATCH", "/api/v1/users/{user_id}"),
    ("PUT", "/api/v1/users/{user_id}"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
}
# A link's token is valid only if the service mailed it: any other schema-valid string is
# rightly a 400 invalid-token (the contract's answer), which no schema keyword can express.
MAILED_TOKEN_BODIES = {
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("POST", "/api/v1/auth/verify-email"),
}


def excluded_for(case: schemathesis.Case[Any]) -> list[Any]:
    if (case.method.upper(), case.path) in (
        CROSS_PARAMETER_RULES | PASSWORD_BODIES | MAILED_TOKEN_BODIES
    ):
        return [positive_data_acceptance]
    return []


@pytest.mark.parametrize("role", ["user", "superuser"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: schemathesis.Case[Any], role: str) -> None:
    target.reset()
    case.call_and_validate(headers=target.headers[role], excluded_checks=excluded_for(case))


class StatefulWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls following the document's links: create, then read, change, delete."""

    role = "user"

    def setup(self) -> None:
        target.reset()

    def before_call(self, case: schemathesis.Case[Any]) -> None:
        case.headers.update(target.headers[self.role])

    def validate_response(
        self, response: schemathesis.Response, case: schemathesis.Case[Any], **kwargs: Any
    ) -> None:
        case.validate_response(response, excluded_checks=excluded_for(case), **kwargs)


class SuperuserWorkflow(StatefulWorkflow):
    role = "superuser"


@pytest.mark.parametrize("workflow", [StatefulWorkflow, SuperuserWorkflow])
def test_stateful_sequences_conform(workflow: type[StatefulWorkflow]) -> None:
    workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
