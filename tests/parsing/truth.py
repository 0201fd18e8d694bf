"""Map the samples' truth.json short keys to the canonical keys of spec/annual-report.md."""

from __future__ import annotations

from typing import Any

from parsing.labels import APPEAL_CELLS, APPEAL_GROUPS, REQUEST_COLUMNS

TRUTH_TO_CANONICAL = {
    "new_received": "new_received",
    "carried_over": "carried_over",
    "granted": "granted",
    "partial_grant": "partially_granted",
    "denied_state_secret": "denied.state_secret",
    "denied_law_forbidden": "denied.prohibited_by_law",
    "denied_three_safety": "denied.security_stability",
    "denied_third_party": "denied.third_party_rights",
    "denied_internal_affairs": "denied.internal_affairs",
    "denied_process_info": "denied.process_information",
    "denied_enforcement_file": "denied.enforcement_files",
    "denied_admin_query": "denied.administrative_query",
    "unable_not_held": "unavailable.not_held",
    "unable_need_create": "unavailable.needs_creation",
    "unable_unclear": "unavailable.still_unclear",
    "notproc_complaint": "not_processed.petition",
    "notproc_duplicate": "not_processed.repeated",
    "notproc_publication": "not_processed.publication",
    "notproc_massive": "not_processed.excessive",
    "notproc_confirm": "not_processed.confirmation",
    "other": "other",
    "other_overdue_correction": "other.no_correction",
    "other_overdue_fee": "other.unpaid_fee",
    "other_other": "other.other",
    "total_processed": "total",
    "carried_forward": "carried_forward",
}
TABLE2_ROWS = {"regulations": "regulations", "normative_documents": "normative_documents",
               "licensing": "licensing", "punishment": "penalty", "coercion": "coercion", "fees": "fees"}
TABLE2_COLS = {"made": "issued", "repealed": "repealed", "valid": "in_force",
               "processed": "decisions", "amount_wan_yuan": "amount"}


def expected_from_truth(truth: dict[str, Any]) -> dict[str, Any]:
    """The canonical tables a truth.json describes; rows with all-null values are absent."""
    requests: dict[str, Any] = {}
    for row in truth["table3"]["rows"]:
        if all(v is None for v in row["values"]):
            continue
        requests[TRUTH_TO_CANONICAL[row["key"]]] = dict(zip(REQUEST_COLUMNS, row["values"], strict=True))
    appeals = None
    if truth.get("table4"):
        vals = truth["table4"]["values"]
        appeals = {g: dict(zip(APPEAL_CELLS, vals[i * 5:(i + 1) * 5], strict=True))
                   for i, g in enumerate(APPEAL_GROUPS)}
    active: dict[str, Any] = {}
    for key, cells in truth["table2"].items():
        if key == "format" or cells is None:
            continue
        active[TABLE2_ROWS[key]] = {TABLE2_COLS[k]: v for k, v in cells.items()}
    return {"requests": {"layout": truth["table3"]["row_template"], "rows": requests},
            "active": {"layout": truth["table2"]["format"], "rows": active},
            "appeals": appeals}
