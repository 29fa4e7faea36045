"""The baseline for (c): a tiny FastAPI app that parses an event body and returns it.

Same framework, same pydantic model, same uvicorn settings as the real service, but no
authentication, no database and no derived state: the ceiling of one POST on this stack.
"""

from fastapi import FastAPI

from app.events.schemas import EventCreate

app = FastAPI()


@app.post("/api/v1/events", status_code=201)
def record_event(body: EventCreate) -> EventCreate:
    return body
