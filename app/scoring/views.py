"""Build API read models from stored evaluations."""

from datetime import datetime

from app.candidates.schemas import CandidateSummary
from app.scoring.models import Flag
from app.scoring.schemas import (
    BreakdownItemRead,
    CandidateRead,
    FlagRead,
    MetricsRead,
    NextActionRead,
)
from app.scoring.service import CandidateEvaluation


def flag_read(flag: Flag) -> FlagRead:
    return FlagRead.model_validate(flag)


def candidate_read(evaluation: CandidateEvaluation, *, as_of: datetime) -> CandidateRead:
    score = evaluation.score
    summary = CandidateSummary.model_validate(evaluation.candidate)
    return CandidateRead(
        **summary.model_dump(),
        score=score.score,
        band=score.band,
        flags=[flag_read(f) for f in evaluation.open_flags],
        score_breakdown=[BreakdownItemRead.model_validate(b) for b in score.breakdown],
        metrics=MetricsRead.model_validate(evaluation.metrics),
        next_action=NextActionRead.model_validate(score.next_action) if score.next_action else None,
        settings_version=score.settings_version,
        as_of=as_of,
    )
