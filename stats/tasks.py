"""The nightly recount, in chunks that the workers of queue "stats" share.

`refresh_stats` (scheduled at 01:20) plans the chunks, a few whole counties each (about
CHUNK_VILLAGES villages), and starts one `refresh_chunk` job per chunk. Each chunk recounts
its villages and stores their rows with their townships' and counties' sums, as
`refresh_all` does for the whole country in one process. The chunk that finishes last (a
conditional UPDATE on the recount's row decides: exactly one) starts `refresh_rollup`, which
checks the sums above the counties and closes the recount. No job waits for another: a
worker is never held while the chunks run.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from . import services as stats
from .models import Recount, RecountChunk

QUEUE = "stats"


@services.work(
    title=_("Recount of the dashboard figures"),
    queue=QUEUE,
    counts={"chunks": _("chunks started"), "villages": _("villages to recount")},
)
def refresh_stats(progress, *, on: str = "", size: int = 0) -> dict:
    """The nightly recount: one `refresh_chunk` job per chunk of counties."""
    day = dt.date.fromisoformat(on) if on else None
    # All or nothing: a parent cut off midway and run again starts no chunk twice.
    with transaction.atomic():
        recount = stats.start_recount(day, size or None)
        chunks = list(recount.parts.order_by("pk").values_list("pk", "villages"))
        progress(0, len(chunks), _("chunks started"))
        for number, (pk, villages) in enumerate(chunks, 1):
            services.start(
                refresh_chunk,
                title=_("Recount: a chunk of %(villages)s villages") % {"villages": villages},
                chunk=pk,
            )
            progress(number)
    if not chunks:  # no village at all: nothing for a last chunk to roll up
        services.start(refresh_rollup, recount=recount.pk)
    return {"chunks": recount.chunks, "villages": recount.villages}


@services.work(
    title=_("Recount: a chunk of villages"),
    queue=QUEUE,
    counts={"villages": _("villages recounted")},
)
def refresh_chunk(progress, *, chunk: int) -> dict:
    """Recount the villages of a chunk's counties; the last chunk starts the roll-up."""
    part = RecountChunk.objects.select_related("recount").get(pk=chunk)
    ids = stats.chunk_village_ids(part.counties)
    written = 0
    progress(0, len(ids), _("villages recounted"))
    for start in range(0, len(ids), stats.BATCH):
        written += stats.refresh_villages(ids[start : start + stats.BATCH], part.recount.on)
        progress(written)
    # Counting the chunk and starting the roll-up commit together: a worker cut off between
    # them leaves neither, and the chunk's run again counts it.
    with transaction.atomic():
        if stats.finish_chunk(part.pk):
            services.start(refresh_rollup, recount=part.recount_id)
    return {"villages": written}


@services.work(
    title=_("Recount: the sums above the counties"),
    queue=QUEUE,
    counts={
        "villages": _("villages recounted"),
        "not_current": _("villages not recounted"),
        "counties": _("counties"),
        "children": _("children counted"),
        "unsummed": _("children missing from the counties' sums"),
        "chunks": _("chunks"),
    },
)
def refresh_rollup(progress, *, recount: int) -> dict:
    """After the last chunk: check the sums above the counties and close the recount."""
    return stats.finish_recount(Recount.objects.get(pk=recount))


schedule.every_day("refresh_stats", refresh_stats, at="01:20")
