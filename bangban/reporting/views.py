import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from bangban.audit.services import record_export
from bangban.core.views import htmx_redirect
from bangban.printing.pdf import pdf_response, render_pdf
from bangban.reporting import selectors, services
from bangban.reporting.exports import count_records, export_table, get_table, records_for
from bangban.reporting.forms import StatisticsForm
from bangban.reporting.models import ExportJob, ExportState


def _filename(table):
    return f"{table.key}-{timezone.localdate():%Y%m%d}.xlsx"


@login_required
@require_GET
def export(request):
    """The table `?table=<key>` with the page's filters: the file itself when it is short,
    else a queued export and its progress page. The page's permission applies (403)."""
    table = get_table(request.GET.get("table", ""))
    if table is None:
        raise Http404
    records = records_for(table, request.user, request.GET)
    if count_records(records) > settings.EXPORT_INLINE_ROWS:
        job = services.request_export(by=request.user, table=table.key,
                                      params=services.params_of(request.GET),
                                      language=get_language() or "")
        return htmx_redirect(request, reverse("reporting:job", args=[job.pk]))
    scratch = tempfile.TemporaryFile(suffix=".xlsx")
    export_table(table, records, scratch)
    scratch.seek(0)
    record_export(request=request, what=_filename(table),
                  details={"table": table.key, "params": services.params_of(request.GET)})
    # FileResponse streams the file in blocks and closes (so deletes) it at the end.
    return FileResponse(scratch, as_attachment=True, filename=_filename(table))


def _own_job(request, pk):
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


@login_required
def job_detail(request, pk):
    job = _own_job(request, pk)
    table = get_table(job.table)
    template = "reporting/partials/_job_progress.html" if request.htmx else "reporting/job.html"
    return render(request, template, {"job": job, "title": table.title if table else job.table})


@login_required
def job_list(request):
    jobs = list(ExportJob.objects.filter(owner=request.user).order_by("-created_at", "-pk")[:50])
    for job in jobs:
        job.title = getattr(get_table(job.table), "title", job.table)
    return render(request, "reporting/jobs.html", {"jobs": jobs})


@login_required
def download(request, pk):
    job = _own_job(request, pk)
    if (job.state != ExportState.DONE or not job.file
            or (job.expires_at and job.expires_at <= timezone.now())):
        raise Http404
    try:
        handle = default_storage.open(job.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    table = get_table(job.table)
    filename = _filename(table) if table else f"export-{job.pk}.xlsx"
    record_export(request=request, what=filename,
                  details={"table": job.table, "params": job.params, "job": job.pk})
    return FileResponse(handle, as_attachment=True, filename=filename)


@login_required
def statistics(request):
    """统计表: the figures of an agency and the agencies below it for a month, a quarter or a
    year; `?format=pdf` prints it."""
    agencies = selectors.statistics_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    form = StatisticsForm(request.GET, agencies=agencies)
    chosen = form.period()
    table = None
    if chosen is not None:
        agency, period = chosen
        table = selectors.statistics_table(agency=agency, period=period)
        table["agency"], table["period"] = agency, period
        for line in (*table["rows"], table["totals"]):
            line["cells"] = [line[key] for key, _label in selectors.FIGURES]
    context = {"form": form, "table": table, "figures": selectors.FIGURES}
    if request.GET.get("format") == "pdf" and table is not None:
        content = render_pdf("reporting/statistics_pdf.html", context, request=request)
        filename = f"statistics-{table['agency'].code}-{table['period']}.pdf"
        record_export(request=request, what=filename)
        return pdf_response(content, filename)
    return render(request, "reporting/statistics.html", context)
