# The roadmap fixtures (a team of two, a 2027-Q1 roadmap, planning and unplanned work).
from tests.roadmap.conftest import accepted, log_unplanned, objective, plan, roadmap, team  # noqa: F401
