"""The roadmap export writes every text cell so a spreadsheet shows it, never runs it."""

import csv
import io

import pytest

from prodops.accounts.models import Department


@pytest.mark.django_db
def test_roadmap_export_escapes_formula_cells(clients, roadmap, plan, accepted):
    department = Department.objects.create(name="=cmd|' /C calc'!A0", slug="evil")
    request = accepted(department=department)
    plan(
        5,
        title='=HYPERLINK("http://evil","x")',
        public_title="+SUM(1,2)",
        requests=[request],
    )
    response = clients["member"].get(f"/roadmap/{roadmap.pk}/export.csv")
    header, row = list(csv.reader(io.StringIO(response.content.decode())))[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["title"] == '\'=HYPERLINK("http://evil","x")'
    assert cells["stakeholder title"] == "'+SUM(1,2)"
    assert cells["departments"] == "'=cmd|' /C calc'!A0"
    assert cells["estimate (person-days)"] == "5.0"
