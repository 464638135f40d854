"""Kickserv's writes: customers, notes, jobs and calendar entries created or changed. None is
retried blindly (`send_with_retries` retries reads only)."""

from datetime import datetime
from typing import Any

from api.kickserv.codec import build
from api.kickserv.connection import KickservConnection, NoteOwner, notes_path
from api.kickserv.models import Job, KickservCustomer, Note, Task


class KickservWrites(KickservConnection):
    """The write endpoints, on the one choke point."""

    async def create_customer(self, **fields: Any) -> KickservCustomer:
        """Create a customer (Kickserv assigns the number)."""
        data = await self._request(
            "POST", "/customers.json", json_body={"customer": fields}, action="create customer"
        )
        return build(KickservCustomer, data, "create customer")

    async def update_customer(self, customer_number: int, **fields: Any) -> KickservCustomer:
        """Change only the given fields of a customer."""
        data = await self._request(
            "PUT",
            f"/customers/{int(customer_number)}.json",
            json_body={"customer": fields},
            action="update customer",
            what=f"customer {customer_number}",
        )
        return build(KickservCustomer, data, "update customer")

    async def add_note(self, owner: NoteOwner, number: int, text: str) -> Note:
        """Add a note (`{note: {note: text}}`); the reply names its creator."""
        data = await self._request(
            "POST",
            notes_path(owner, number),
            json_body={"note": {"note": text}},
            action="add note",
            what=f"{owner[:-1]} {number}",
        )
        return build(Note, data, "add note")

    async def update_note(self, owner: NoteOwner, number: int, note_id: int, text: str) -> Note:
        """Replace a note's text."""
        data = await self._request(
            "PUT",
            notes_path(owner, number, note_id),
            json_body={"note": {"note": text}},
            action="update note",
            what=f"note {note_id}",
        )
        return build(Note, data, "update note")

    async def delete_note(self, owner: NoteOwner, number: int, note_id: int) -> None:
        """Delete a note."""
        await self._request(
            "DELETE",
            notes_path(owner, number, note_id),
            action="delete note",
            what=f"note {note_id}",
        )

    async def update_job(self, job_number: int, **fields: Any) -> Job:
        """Change several fields of a job in one call."""
        data = await self._request(
            "PUT",
            f"/jobs/{int(job_number)}.json",
            json_body={"job": fields},
            action="update job",
            what=f"job {job_number}",
        )
        return build(Job, data, "update job")

    async def create_job(
        self, customer_number: int, job_type_id: int, description: str = "", **fields: Any
    ) -> Job:
        """Create a job for a customer (POST /customers/{n}/jobs.json); never retried."""
        body = {"job": {"job_type_id": job_type_id, "description": description, **fields}}
        data = await self._request(
            "POST",
            f"/customers/{int(customer_number)}/jobs.json",
            json_body=body,
            action="create job",
            what=f"customer {customer_number}",
        )
        return build(Job, data, "create job")

    async def create_task(
        self, job_global_id: int, starts_at: datetime, ends_at: datetime, employee_ids: list[int]
    ) -> Task:
        """Put a job on the calendar with these employees (global ids) assigned; never retried.

        The body's shape is inferred (the notes show the routes, not the create payload)."""
        body = {
            "task": {
                "job_id": job_global_id,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "employee_ids": employee_ids,
            }
        }
        data = await self._request("POST", "/tasks.json", json_body=body, action="create task")
        return build(Task, data, "create task")
