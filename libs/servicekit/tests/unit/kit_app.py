"""A small app built by the kit's factory, for testing what every service inherits without I/O.

The lifespan is not run, so nothing connects: the routes below never touch the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import sqlalchemy.exc
from asyncpg.exceptions._base import DataError as ClientDataError
from fastapi import APIRouter, Depends, FastAPI, Header, UploadFile
from pydantic import BaseModel
from sqlalchemy import text

from oneteam_servicekit import Runtime, RuntimeDep, ServiceSettings, create_app
from oneteam_servicekit.auth import Principal, Role, require
from oneteam_servicekit.errors import DomainError

router = APIRouter(prefix="/v1")


class Contact(BaseModel):
    name: str | None = None
    phone: str | None = None


class Thing(BaseModel):
    description: str
    contact: Contact | None = None
    tags: list[str] = []


class Slow(DomainError):
    type = "rate-limited"
    title = "Too many requests"
    status = 429


@router.post("/things", status_code=201)
async def create_thing(body: Thing, idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
                       ) -> Thing:
    if body.description == "crash":
        raise RuntimeError("a bug")
    return body


@router.get("/things")
async def list_things(q: str | None = None, crash: bool = False) -> list[str]:
    if crash:
        raise RuntimeError("a bug")
    return [q or ""]


@router.post("/busy")
async def busy(pool: bool = True) -> None:
    raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 10 overflow 20 reached") if pool else Slow(
        "slow down", retry_after_s=7)


@router.post("/photos", status_code=201)
async def upload(file: UploadFile) -> dict[str, int]:
    return {"size": len(await file.read())}


@router.get("/things/{thing_id}")
async def read_thing(thing_id: str, who: Annotated[Principal, Depends(require(Role.COMMANDER))]) -> str:
    return thing_id


def build(**changes: object) -> FastAPI:
    settings = ServiceSettings(service_name="kit-test", log_json=False, **changes)  # type: ignore[arg-type]
    return create_app(Runtime(settings, Path(".")), title="kit test", description="", routers=[router])


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://kit")


@router.get("/count")
async def count(runtime: RuntimeDep) -> int:
    async with runtime.sessions() as session:
        return int((await session.execute(text("SELECT 1"))).scalar_one())


@router.post("/dated")
async def dated() -> None:
    # What asyncpg raises for a datetime beyond PostgreSQL's range, wrapped as SQLAlchemy does.
    cause = ClientDataError("invalid input for query argument $1: datetime(1, 1, 1) (date value out of range)")
    raise sqlalchemy.exc.DBAPIError("INSERT ...", {}, cause)
