"""Every write to a complaint card: each runs in one transaction with its timeline events and the
lifecycle signals its hooks react to. Split by concern; the public names are all importable from here."""

from .after_answer import complaint_keep_closed, message_after_answer_record
from .bulk import BULK_MAX, BulkResult, access_assign_in_bulk, can_assign_in_bulk, complaints_assign
from .claims import complaint_confirm_in_writing
from .lifecycle import (
    CLASSIFICATION_FIELDS,
    EDITABLE_FIELDS,
    TRACKED_FIELDS,
    card_locked,
    complaint_classify,
    complaint_contact_set,
    complaint_transition,
    complaint_update,
    complaint_update_as_system,
)
from .measures import EXECUTOR_ROLES, measure_add, measure_remove, measure_report
from .record import CONTACT_DETAILS, SIGN_OFF_WRITES, complaint_customer_correct, complaint_sign_off
from .registration import (
    REGISTRATION_RELATIONS,
    PreparedCard,
    complaint_file_internal,
    complaint_number_take,
    complaint_prepare,
    complaint_register,
    complaints_register_prepared,
    numbers_hold,
)
from .saved_filters import SAVED_FILTERS_MAX, saved_filter_delete, saved_filter_save
from .timeline import (
    attachment_check,
    attachment_store,
    complaint_add_message,
    complaint_add_note,
    complaint_attach,
    complaint_log_call,
    complaint_receive_file,
)

__all__ = [
    "BULK_MAX", "CONTACT_DETAILS", "EDITABLE_FIELDS", "EXECUTOR_ROLES", "REGISTRATION_RELATIONS",
    "CLASSIFICATION_FIELDS", "complaint_classify",
    "PreparedCard", "complaint_prepare", "complaints_register_prepared",
    "SAVED_FILTERS_MAX", "SIGN_OFF_WRITES", "TRACKED_FIELDS", "BulkResult", "access_assign_in_bulk",
    "attachment_check", "attachment_store", "can_assign_in_bulk", "card_locked", "complaint_add_message",
    "complaint_add_note", "complaint_attach", "complaint_confirm_in_writing", "complaint_contact_set",
    "complaint_customer_correct", "complaint_file_internal", "complaint_keep_closed", "complaint_log_call",
    "complaint_number_take", "complaint_receive_file", "complaint_register", "complaint_sign_off",
    "complaint_transition", "complaint_update", "complaint_update_as_system", "complaints_assign", "measure_add",
    "measure_remove", "measure_report", "message_after_answer_record", "numbers_hold", "saved_filter_delete",
    "saved_filter_save",
]
