"""CSV import of 100,000 requests into a workspace that already holds 10,000: reading the
file and checking every line (duplicates against existing titles through the trigram index),
creating the requests in one transaction, and undoing the batch. Run alone with
`python bench/import_bench.py` (IMPORT_ROWS=… for another size), or via `make bench`.

Each step runs once (a second run would find the first one's requests as duplicates), so the
table's median is that one run."""

import os
import random

from harness import Measurement, analyze, baseline, client, report, throwaway_database, timed

ROWS = int(os.environ.get("IMPORT_ROWS", "100000"))
EXISTING = 10_000
# Words a product-ops team's requests are made of; a title is five of them, so titles differ
# as real ones do, and every twentieth line repeats an existing request's title (a duplicate).
VOCABULARY = [
    "account",
    "accounts",
    "admin",
    "alert",
    "alerts",
    "analytics",
    "announcement",
    "api",
    "approval",
    "archive",
    "audit",
    "automation",
    "banner",
    "battlecard",
    "beta",
    "billing",
    "blog",
    "board",
    "brand",
    "budget",
    "bundle",
    "calendar",
    "campaign",
    "cancel",
    "card",
    "case",
    "catalog",
    "certificate",
    "channel",
    "chart",
    "checklist",
    "checkout",
    "churn",
    "cohort",
    "comment",
    "compliance",
    "contract",
    "conversion",
    "copy",
    "coupon",
    "crm",
    "csv",
    "customer",
    "dashboard",
    "data",
    "deal",
    "deck",
    "demo",
    "digest",
    "discount",
    "domain",
    "download",
    "draft",
    "editor",
    "email",
    "enablement",
    "enterprise",
    "event",
    "expense",
    "export",
    "faq",
    "feature",
    "feedback",
    "field",
    "filter",
    "forecast",
    "form",
    "funnel",
    "gallery",
    "glossary",
    "guide",
    "handbook",
    "health",
    "help",
    "holiday",
    "homepage",
    "import",
    "inbox",
    "incident",
    "index",
    "insight",
    "integration",
    "invoice",
    "journey",
    "kpi",
    "label",
    "landing",
    "launch",
    "lead",
    "legal",
    "library",
    "license",
    "limit",
    "list",
    "localisation",
    "login",
    "logo",
    "map",
    "margin",
    "market",
    "meeting",
    "menu",
    "metric",
    "migration",
    "mobile",
    "newsletter",
    "notice",
    "notification",
    "nps",
    "onboarding",
    "order",
    "owner",
    "page",
    "partner",
    "password",
    "payment",
    "persona",
    "pipeline",
    "plan",
    "playbook",
    "podcast",
    "policy",
    "portal",
    "post",
    "preview",
    "price",
    "pricing",
    "privacy",
    "process",
    "product",
    "profile",
    "promo",
    "proposal",
    "quota",
    "quote",
    "rate",
    "referral",
    "refund",
    "region",
    "release",
    "renewal",
    "report",
    "request",
    "research",
    "retention",
    "review",
    "roadmap",
    "role",
    "sales",
    "schedule",
    "score",
    "search",
    "segment",
    "seo",
    "setting",
    "share",
    "signup",
    "sla",
    "slack",
    "slide",
    "sso",
    "status",
    "storefront",
    "story",
    "subscription",
    "support",
    "survey",
    "swag",
    "tag",
    "target",
    "task",
    "tax",
    "team",
    "template",
    "territory",
    "ticket",
    "timeline",
    "tour",
    "trade",
    "training",
    "transcript",
    "translation",
    "trial",
    "tutorial",
    "upgrade",
    "upsell",
    "usage",
    "user",
    "video",
    "voucher",
    "webinar",
    "website",
    "widget",
    "wiki",
    "workflow",
    "workshop",
]


def title(rng: random.Random) -> str:
    return " ".join(rng.sample(VOCABULARY, 5)).capitalize()


def build() -> tuple:
    from intake.models import Request
    from prodops.accounts.models import Department, User

    rng = random.Random(7)
    Department.objects.create(name="Sales", slug="sales")
    asker = User.objects.create_user(
        "asker", email="asker@example.com", password="pw", role="stakeholder"
    )
    member = User.objects.create_user(
        "member", email="member@example.com", password="pw", role="member"
    )
    existing = [title(rng) for _ in range(EXISTING)]
    Request.objects.bulk_create(
        [Request(title=text, requester=asker) for text in existing], batch_size=5_000
    )
    lines = ["title,description,department,requester email,votes,created"]
    for n in range(ROWS):
        lines.append(
            f'"{existing[n % EXISTING] if n % 20 == 0 else title(rng)}","Asked in the {n % 12 + 1}th call",Sales,asker@example.com,{n % 9},2026-0{n % 9 + 1}-1{n % 9}'
        )
    analyze()
    return member, "\n".join(lines) + "\n"


def once(seconds: float, queries: int = 0) -> Measurement:
    return Measurement(seconds * 1000, seconds * 1000, queries, 1)


def main() -> None:
    with throwaway_database():
        from intake.imports import services
        from intake.models import Request

        (member, text), build_seconds = timed(build)
        batch, upload_s = timed(
            lambda: services.import_upload(actor=member, content=text, filename="big.csv")
        )
        services.INLINE_ROWS = ROWS + 1  # check and import here, not through a worker
        batch, check_s = timed(
            lambda: services.import_map(
                batch=batch, actor=member, mapping=batch.mapping, expected_version=batch.version
            )
        )
        batch, commit_s = timed(
            lambda: services.import_commit(
                batch=batch, actor=member, expected_version=batch.version
            )
        )
        made = batch.imported_count
        removed, undo_s = timed(
            lambda: services.import_undo(batch=batch, actor=member, expected_version=batch.version)
        )
        assert removed == made and Request.objects.count() == EXISTING
        report(
            "import",
            baseline(client(member)),
            [
                (f"upload {ROWS:,} lines ({len(text) / 1e6:.1f} MB)", once(upload_s)),
                (f"check {ROWS:,} lines against {EXISTING:,} requests", once(check_s)),
                (f"import {made:,} requests (one transaction)", once(commit_s)),
                (f"undo the batch ({removed:,})", once(undo_s)),
            ],
            note=(
                f"{batch.new_count:,} new, {batch.duplicate_count:,} likely duplicates, "
                f"{batch.error_count:,} errors; data built in {build_seconds:.1f} s"
            ),
        )


if __name__ == "__main__":
    main()
