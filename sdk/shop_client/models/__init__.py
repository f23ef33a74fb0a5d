# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
"""Contains all the data models used in inputs/outputs"""

from .client_input import ClientInput
from .client_page import ClientPage
from .client_patch import ClientPatch
from .client_record import ClientRecord
from .currency import Currency
from .field_error import FieldError
from .health import Health
from .health_status import HealthStatus
from .invoice import Invoice
from .invoice_page import InvoicePage
from .order import Order
from .order_create import OrderCreate
from .order_item import OrderItem
from .order_page import OrderPage
from .order_status import OrderStatus
from .problem import Problem
from .rejection_reason import RejectionReason
from .validation_problem import ValidationProblem

__all__ = (
    "ClientInput",
    "ClientPage",
    "ClientPatch",
    "ClientRecord",
    "Currency",
    "FieldError",
    "Health",
    "HealthStatus",
    "Invoice",
    "InvoicePage",
    "Order",
    "OrderCreate",
    "OrderItem",
    "OrderPage",
    "OrderStatus",
    "Problem",
    "RejectionReason",
    "ValidationProblem",
)
