"""Shared pydantic types for API input."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from app.scoring.config import validate_timezone

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=300)]
TimeZoneName = Annotated[str, AfterValidator(validate_timezone)]
