# Similar-title search orders by trigram word distance with a LIMIT. A GiST trigram index
# can return rows nearest first for that ordering; the GIN one cannot, so the planner
# scored every title with a sequential scan. Nothing else searches titles through the GIN
# index (the queue's title filter is an UPPER(title) LIKE, which no trigram index on
# `title` serves), so it goes.

import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_scoring_request_score"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="request",
            name="request_title_trgm",
        ),
        migrations.AddIndex(
            model_name="request",
            index=django.contrib.postgres.indexes.GistIndex(
                fields=["title"], name="request_title_trgm_gist", opclasses=["gist_trgm_ops"]
            ),
        ),
    ]
