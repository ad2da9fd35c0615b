"""The import summary read in each shape DHIS2 documents (recorded answers, table-driven)."""

from __future__ import annotations

import pytest

from keneya.interop.dhis2.summary import (
    ADVICE_BY_CODE,
    DEFAULT_ADVICE,
    Conflict,
    NotASummary,
    advice_for,
    parse_import_summary,
)

COUNTS = {"imported": 2, "updated": 1, "ignored": 1, "deleted": 0}
BARE_2_37 = {
    "responseType": "ImportSummary",
    "status": "WARNING",
    "description": "Import process completed successfully",
    "importCount": COUNTS,
    "conflicts": [{"object": "deVisits001", "value": "Data element not found or not accessible"}],
}
WRAPPED_200 = {
    "httpStatus": "OK",
    "httpStatusCode": 200,
    "status": "OK",
    "message": "Import was successful.",
    "response": {
        "responseType": "ImportSummary",
        "status": "SUCCESS",
        "importCount": COUNTS,
        "conflicts": [],
    },
}
WRAPPED_409 = {
    "httpStatus": "Conflict",
    "httpStatusCode": 409,
    "status": "WARNING",
    "message": "One more conflicts encountered, please check import summary.",
    "response": {
        "responseType": "ImportSummary",
        "status": "WARNING",
        "importCount": COUNTS,
        "conflicts": [
            {
                "object": "202604",
                "objects": {"period": "202604"},
                "value": "Period: `202604` is after latest open future period: `202603`",
                "errorCode": "E7641",
                "property": "period",
                "indexes": [0, 3],
            }
        ],
        "rejectedIndexes": [0, 3],
    },
}
REFUSED = {
    "httpStatus": "Conflict",
    "httpStatusCode": 409,
    "status": "ERROR",
    "message": "Invalid JSON payload",
}


@pytest.mark.parametrize(
    ("body", "status", "conflicts", "indexes", "code"),
    [
        (BARE_2_37, "WARNING", 1, (), ""),
        (WRAPPED_200, "SUCCESS", 0, (), ""),
        (WRAPPED_409, "WARNING", 1, (0, 3), "E7641"),
        (REFUSED, "ERROR", 0, (), ""),
    ],
    ids=["2.37 bare summary", "2.38+ WebMessage 200", "2.38+ WebMessage 409", "WebMessage without summary"],
)
def test_both_documented_shapes_are_read(body, status, conflicts, indexes, code):
    summary = parse_import_summary(body)

    assert summary.status == status
    assert len(summary.conflicts) == conflicts
    if conflicts:
        assert summary.conflicts[0].indexes == indexes
        assert summary.conflicts[0].error_code == code
    if body is not REFUSED:
        assert (summary.imported, summary.updated, summary.ignored, summary.deleted) == (2, 1, 1, 0)


def test_a_refused_import_keeps_dhis2s_message():
    assert parse_import_summary(REFUSED).description == "Invalid JSON payload"


@pytest.mark.parametrize("body", [[], "html", {"foo": "bar"}, None])
def test_an_answer_that_is_no_summary_is_said_so(body):
    with pytest.raises(NotASummary):
        parse_import_summary(body)


def test_garbage_inside_a_summary_does_not_break_the_reader():
    summary = parse_import_summary(
        {
            "responseType": "ImportSummary",
            "status": "odd",
            "importCount": "x",
            "conflicts": ["text", {"indexes": ["a", -1, 2]}],
        }
    )
    assert summary.status == "ERROR"
    assert summary.imported == 0
    assert summary.conflicts[0].value == "text"
    assert summary.conflicts[1].indexes == (2,)


@pytest.mark.parametrize(
    ("conflict", "expected"),
    [
        (Conflict("deX", "Data element not found", error_code="E7610"), ADVICE_BY_CODE["E7610"]),
        (Conflict("202401", "Current date is past expiry days", error_code="E7640"), ADVICE_BY_CODE["E7640"]),
        (Conflict("abc", "Value must match...", error_code="E7619"), ADVICE_BY_CODE["E7619"]),
        (Conflict("ouX", "whatever", property="orgUnit"), ADVICE_BY_CODE["E7612"]),
        (Conflict("202401", "Period is locked for data set"), ADVICE_BY_CODE["E7640"]),
        (Conflict("x", "no idea"), DEFAULT_ADVICE),
    ],
)
def test_each_conflict_says_what_to_fix_in_french(conflict, expected):
    assert advice_for(conflict) == expected
