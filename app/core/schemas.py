"""Shared pydantic types for API input."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from app.core.timestamps import validate_timezone

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TimeZoneName = Annotated[str, AfterValidator(validate_timezone)]
