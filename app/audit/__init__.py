"""The audit log: who did what, written in the same transaction as the action.

Call `audit.record(session, org_id=..., actor=..., action=..., target=..., detail=...)`.
"""

from app.audit.service import SYSTEM, Actor, changed_fields, record

__all__ = ["SYSTEM", "Actor", "changed_fields", "record"]
