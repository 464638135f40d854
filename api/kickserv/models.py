"""Typed Kickserv records: decimal money, aware datetimes, and explicit number-vs-id names.

Kickserv gives every record a global `id`; customers also have a per-account `customer_number`
and jobs a `job_number` — the numbers its URLs use. Models call the global one `global_id` and
cross-references `customer_global_id` / `owner_global_id`, so the two are never mixed up.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _money(value: Any) -> Any:
    """Money arrives as a decimal string ("1464.27"); never go through float."""
    value = _blank_to_none(value)
    return Decimal(str(value)) if isinstance(value, int | float) else value


Money = Annotated[Decimal | None, BeforeValidator(_money)]
When = Annotated[AwareDatetime | None, BeforeValidator(_blank_to_none)]
Day = Annotated[date | None, BeforeValidator(_blank_to_none)]


class KickservModel(BaseModel):
    """Base: built from wire names, read by clear names, unknown keys ignored (never stored)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class Employee(KickservModel):
    """A Kickserv user. Credential fields the API sends (password_salt, encrypted_password,
    remember_token, …) are not fields here, so they are dropped on arrival and can never be
    logged or shown."""

    global_id: int = Field(alias="id")
    employee_number: int | None = None
    name: str = ""
    email_address: str | None = None
    username: str | None = None
    admin: bool = False
    active: bool = True
    cell_phone: str | None = None


class CustomerGlue(KickservModel):
    """The short customer copy ("glue record") inside payments, invoices and tasks."""

    global_id: int = Field(alias="id")
    customer_number: int | None = None
    name: str = ""


class CustomerListing(KickservModel):
    """A Kickserv customer as a listing of them is read: the fields the customer directory
    keeps and nothing else, so a value Kickserv writes oddly in any other field stops no walk."""

    global_id: int = Field(alias="id")
    customer_number: int
    name: str = ""
    company_name: str | None = None
    email: str | None = None
    email_address: str | None = None
    phone: str | None = None
    phone_number: str | None = None
    mobile: str | None = None

    @property
    def contact_email(self) -> str | None:
        """Whichever of Kickserv's two email fields is filled in."""
        return self.email or self.email_address


class KickservCustomer(CustomerListing):
    """A Kickserv customer."""

    first_name: str | None = None
    last_name: str | None = None
    company: bool = False
    service_address: str | None = None
    service_address_2: str | None = None
    service_city: str | None = None
    service_state: str | None = None
    service_zip_code: str | None = None
    billing_address: str | None = None
    billing_city: str | None = None
    billing_state: str | None = None
    billing_zip_code: str | None = None
    customer_source_id: int | None = None
    customer_type_id: int | None = None
    parent_id: int | None = None
    balance: Money = None
    special_instructions: str | None = None
    created_at: When = None
    updated_at: When = None


class Note(KickservModel):
    """A note on a customer or a job."""

    global_id: int = Field(alias="id")
    text: str = Field("", alias="note")
    owner_type: str = Field("", alias="noteable_type")  # "Customer" or "Job"
    owner_global_id: int | None = Field(None, alias="noteable_id")
    public: bool = False
    creator: Employee | None = None  # on POST and PUT replies; a GET may carry only the id
    creator_global_id: int | None = Field(None, alias="creator_id")
    created_at: When = None
    updated_at: When = None


def _glue_or_none(value: Any) -> Any:
    try:
        return CustomerGlue.model_validate(value) if isinstance(value, dict) else None
    except ValidationError:
        return None


class Job(KickservModel):
    """A field-service job (or an opportunity: status "new")."""

    global_id: int = Field(alias="id")
    job_number: int
    customer_global_id: int | None = Field(None, alias="customer_id")
    name: str = ""
    description: str | None = None
    job_type_id: int | None = None
    status: str = ""
    scheduled_on: When = None
    started_on: When = None
    completed_on: When = None
    canceled_on: When = None
    subtotal: Money = None
    tax: Money = None
    total: Money = None
    balance_remaining: Money = None
    invoice_status: str | None = None
    self_service: bool = False
    # Not documented for a job (only for tasks, invoices and opportunities): used when sent,
    # and a shape other than the glue record's is dropped rather than failing the job.
    customer: Annotated[CustomerGlue | None, BeforeValidator(_glue_or_none)] = None
    created_at: When = None
    updated_at: When = None


class EmployeeRef(KickservModel):
    """The short employee copy inside a task."""

    global_id: int = Field(alias="id")
    employee_number: int | None = None
    name: str = ""


class JobRefGlue(KickservModel):
    """The short job copy inside a task."""

    global_id: int = Field(alias="id")
    job_number: int | None = None


class Task(KickservModel):
    """A calendar entry ("task") on a job, with the employees assigned to it.

    The glue keys (`job`, `customer`, `employees`) are inferred: the notes say tasks carry glue
    records for these but do not show their names.
    """

    global_id: int = Field(alias="id")
    description: str | None = None
    starts_at: When = None
    ends_at: When = None
    job: JobRefGlue | None = None
    customer: CustomerGlue | None = None
    employees: list[EmployeeRef] = Field(default_factory=list)


class JobType(KickservModel):
    """A service ("job type") from calendar.json."""

    job_type_id: int = Field(alias="id")
    name: str


class Payment(KickservModel):
    """A payment; `applied_to` (payment_application_ids) may be absent, see the quirk in docs."""

    global_id: int = Field(alias="id")
    paid_on: Day = Field(None, alias="date")
    payment_type: str = ""
    amount: Money = None
    notes: str | None = None
    ref_number: str | None = None
    status: str | None = None
    customer: CustomerGlue | None = None
    applied_to: list[int] | None = Field(None, alias="payment_application_ids")
    created_at: When = None


class Invoice(KickservModel):
    """An invoice from /invoices.json (there is no single-invoice endpoint)."""

    global_id: int = Field(alias="id")
    invoice_number: int | None = None
    status: str = Field("", alias="invoice_status")
    total: Money = None
    balance_remaining: Money = None
    due_on: Day = None
    customer: CustomerGlue | None = None
    created_at: When = None


class InvoicePage(KickservModel):
    """One page of /invoices.json and the account-wide sum still owed."""

    invoices: list[Invoice] = Field(default_factory=list)
    total_balance_remaining: Money = None
