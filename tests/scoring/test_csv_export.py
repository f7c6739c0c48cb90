"""The backlog export writes every text cell so a spreadsheet shows it, never runs it."""

import csv
import io

import pytest

from prodops.accounts.models import Department

pytestmark = pytest.mark.django_db


def test_backlog_export_escapes_formula_cells(clients, make_scored):
    department = Department.objects.create(name="@SUM(A1)", slug="evil")
    make_scored(
        "  -2+3", [{"impact": 4, "feasibility": 3, "effort_days": 4}], department=department
    )
    response = clients["member"].get("/requests/backlog/export.csv")
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == "'  -2+3"
    assert cells["department"] == "'@SUM(A1)"
    assert cells["votes"] == "0"
